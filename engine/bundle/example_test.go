package bundle_test

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/callscript/callscript/engine/bundle"
	"github.com/callscript/callscript/engine/sdk"
	"github.com/dop251/goja"
)

func ExampleBuild() {
	src := &bundle.Source{Files: map[string][]byte{
		"index.ts": []byte(`import { say, hangup } from "callscript";
import { greeting } from "./menus";

export default function (event: { payload: { source: string } }) {
  return [say(greeting(event.payload.source)), hangup()];
}
`),
		"menus.ts": []byte(`export function greeting(caller: string): string {
  return "Hello " + caller;
}
`),
	}}
	entry, _ := src.Entry()
	b, err := bundle.Build(context.Background(), src, entry)
	if err != nil {
		fmt.Println(err) // each problem as file:line:column: message
		return
	}
	fmt.Println("files:", b.Files)

	// Compile once per version; run in as many runtimes as needed, each after the
	// "callscript" module, which every tenant shares (compile it once per process).
	sdkProgram, err := goja.Compile(bundle.SDKFile, bundle.SDKProgram(), false)
	if err != nil {
		fmt.Println(err)
		return
	}
	program, err := goja.Compile(bundle.ProgramName, b.Code, false)
	if err != nil {
		fmt.Println(err)
		return
	}
	vm := goja.New()
	if err := sdk.Install(vm, sdkProgram); err != nil {
		fmt.Println(err)
		return
	}
	if _, err := vm.RunProgram(program); err != nil {
		fmt.Println(err)
		return
	}
	handler, _ := goja.AssertFunction(vm.Get(bundle.ExportsGlobal).ToObject(vm).Get("default"))
	event := vm.ToValue(map[string]any{"payload": map[string]any{"source": "+6560000000"}})
	callflow, err := handler(goja.Undefined(), event)
	if err != nil {
		fmt.Println(err)
		return
	}
	answer, _ := json.Marshal(callflow.Export())
	fmt.Println(string(answer))

	// A mistake is reported in the author's own file.
	src.Files["menus.ts"] = []byte("export function greeting(caller: string): string {\n  return \"Hello \" + ;\n}\n")
	_, err = bundle.Build(context.Background(), src, entry)
	fmt.Println(err)
	// Output:
	// files: [index.ts menus.ts]
	// [{"action":"say","params":{"text":"Hello +6560000000"}},{"action":"hangup"}]
	// menus.ts:2:21: Unexpected ";"
}
