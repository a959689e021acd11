// The few fengari (Lua 5.3 VM in JavaScript) entry points test/support/lua.ts uses; the package ships no types.
declare module 'fengari' {
  type LuaState = object;
  const fengari: {
    lua: {
      LUA_OK: number;
      LUA_TTABLE: number;
      LUA_TSTRING: number;
      lua_pushnil(L: LuaState): void;
      lua_pushboolean(L: LuaState, b: boolean): void;
      lua_pushinteger(L: LuaState, n: number): void;
      lua_pushnumber(L: LuaState, n: number): void;
      lua_pushstring(L: LuaState, s: Uint8Array): void;
      lua_createtable(L: LuaState, narr: number, nrec: number): void;
      lua_rawseti(L: LuaState, idx: number, n: number): void;
      lua_setfield(L: LuaState, idx: number, k: Uint8Array): void;
      lua_getfield(L: LuaState, idx: number, k: Uint8Array): number;
      lua_pcall(L: LuaState, nargs: number, nresults: number, msgh: number): number;
      lua_type(L: LuaState, idx: number): number;
      lua_tojsstring(L: LuaState, idx: number): string;
      lua_pop(L: LuaState, n: number): void;
      lua_settop(L: LuaState, idx: number): void;
    };
    lauxlib: {
      luaL_newstate(): LuaState;
      luaL_loadstring(L: LuaState, s: Uint8Array): number;
    };
    lualib: { luaL_openlibs(L: LuaState): void };
    to_luastring(s: string): Uint8Array;
  };
  export default fengari;
}
