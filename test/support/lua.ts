// Runs an Argo CD health check (Lua) on an object the way Argo CD does: the object decoded from
// JSON into a global table `obj`, the script's returned table read as { status, message }. The VM is
// fengari (Lua 5.3); the script sees only what gopher-lua 5.1 also offers, so a 5.2+ library call
// fails here as it would in Argo CD.
import fengari from 'fengari';

const { lua, lauxlib, lualib, to_luastring } = fengari;

export interface HealthResult {
  status: string;
  message?: string;
}

// The sandbox: base functions, string, table and math as in 5.1 (no table.unpack, utf8, load…).
const HARNESS = `
local src, obj = ...
local function pick(lib, names)
  local out = {}
  for _, n in ipairs(names) do out[n] = lib[n] end
  return out
end
local env = {
  obj = obj, ipairs = ipairs, pairs = pairs, next = next, type = type, tostring = tostring,
  tonumber = tonumber, select = select, error = error, pcall = pcall, assert = assert,
  unpack = table.unpack,
  string = pick(string, { "byte", "char", "find", "format", "gmatch", "gsub", "len", "lower",
    "match", "rep", "reverse", "sub", "upper" }),
  table = pick(table, { "concat", "insert", "remove", "sort" }),
  math = pick(math, { "abs", "ceil", "floor", "fmod", "huge", "max", "min", "pi", "sqrt" }),
}
local chunk = assert(load(src, "=health.lua", "t", env))
return chunk()
`;

function push(L: object, v: unknown): void {
  if (v === null || v === undefined) lua.lua_pushnil(L);
  else if (typeof v === 'boolean') lua.lua_pushboolean(L, v);
  // JSON integers (generation, observedGeneration) stay integers, as they print in gopher-lua.
  else if (typeof v === 'number') Number.isInteger(v) ? lua.lua_pushinteger(L, v) : lua.lua_pushnumber(L, v);
  else if (typeof v === 'string') lua.lua_pushstring(L, to_luastring(v));
  else if (Array.isArray(v)) {
    lua.lua_createtable(L, v.length, 0);
    v.forEach((item, i) => {
      push(L, item);
      lua.lua_rawseti(L, -2, i + 1);
    });
  } else if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>);
    lua.lua_createtable(L, 0, entries.length);
    for (const [k, item] of entries) {
      push(L, item);
      lua.lua_setfield(L, -2, to_luastring(k));
    }
  } else throw new Error(`cannot pass a ${typeof v} to Lua`);
}

function stringField(L: object, name: string): string | undefined {
  const t = lua.lua_getfield(L, -1, to_luastring(name));
  const out = t === lua.LUA_TSTRING ? lua.lua_tojsstring(L, -1) : undefined;
  lua.lua_pop(L, 1);
  return out;
}

/** Runs `script` with `obj` and returns the health it reports; throws on a Lua error. */
export function runHealthCheck(script: string, obj: unknown): HealthResult {
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  if (lauxlib.luaL_loadstring(L, to_luastring(HARNESS)) !== lua.LUA_OK)
    throw new Error(`harness: ${lua.lua_tojsstring(L, -1)}`);
  lua.lua_pushstring(L, to_luastring(script));
  push(L, obj);
  if (lua.lua_pcall(L, 2, 1, 0) !== lua.LUA_OK) throw new Error(`Lua error: ${lua.lua_tojsstring(L, -1)}`);
  if (lua.lua_type(L, -1) !== lua.LUA_TTABLE) throw new Error('the health check returned no table');
  const status = stringField(L, 'status');
  if (status === undefined) throw new Error('the health check returned no status');
  const message = stringField(L, 'message');
  return message === undefined ? { status } : { status, message };
}
