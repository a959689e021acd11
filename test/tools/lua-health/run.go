// Runs Argo CD health checks in gopher-lua, the Lua 5.1 VM Argo CD embeds, the way Argo CD calls
// them: the object decoded from JSON into the global `obj` (numbers as Lua numbers), only the base,
// table, string and math libraries open, and the returned table read as status and message.
// Input on stdin: {"script": "...", "objects": [...]}; output: one {status, message} or {error}
// per object, as a JSON array. Built by test/cluster/support/lua51.ts (GOPATH=/usr/share/gocode).
package main

import (
	"encoding/json"
	"fmt"
	"os"

	lua "github.com/yuin/gopher-lua"
)

type input struct {
	Script  string        `json:"script"`
	Objects []interface{} `json:"objects"`
}

type result struct {
	Status  string `json:"status,omitempty"`
	Message string `json:"message,omitempty"`
	Error   string `json:"error,omitempty"`
}

func toLua(L *lua.LState, v interface{}) lua.LValue {
	switch x := v.(type) {
	case nil:
		return lua.LNil
	case bool:
		return lua.LBool(x)
	case float64:
		return lua.LNumber(x)
	case string:
		return lua.LString(x)
	case []interface{}:
		t := L.NewTable()
		for i, e := range x {
			t.RawSetInt(i+1, toLua(L, e))
		}
		return t
	case map[string]interface{}:
		t := L.NewTable()
		for k, e := range x {
			t.RawSetString(k, toLua(L, e))
		}
		return t
	}
	panic(fmt.Sprintf("unexpected JSON value %T", v))
}

func run(script string, obj interface{}) result {
	L := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer L.Close()
	libs := []struct {
		name string
		open lua.LGFunction
	}{
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
		{lua.StringLibName, lua.OpenString},
		{lua.MathLibName, lua.OpenMath},
	}
	for _, lib := range libs {
		L.Push(L.NewFunction(lib.open))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	L.SetGlobal("obj", toLua(L, obj))
	if err := L.DoString(script); err != nil {
		return result{Error: err.Error()}
	}
	t, ok := L.Get(-1).(*lua.LTable)
	if !ok {
		return result{Error: "the script returned no table"}
	}
	r := result{}
	if s, ok := t.RawGetString("status").(lua.LString); ok {
		r.Status = string(s)
	}
	if m, ok := t.RawGetString("message").(lua.LString); ok {
		r.Message = string(m)
	}
	return r
}

func main() {
	var in input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fmt.Fprintln(os.Stderr, "lua-health: bad input:", err)
		os.Exit(2)
	}
	out := make([]result, 0, len(in.Objects))
	for _, o := range in.Objects {
		out = append(out, run(in.Script, o))
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, "lua-health:", err)
		os.Exit(1)
	}
}
