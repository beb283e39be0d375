package vm

import (
	"fmt"

	"github.com/dop251/goja"

	"github.com/callscript/callscript/engine/internal/jsfunc"
)

// Bounds on what one native call may build. goja cannot interrupt a built-in while it runs, so
// a single "x".repeat(2 ** 30) would allocate a gigabyte before anything could stop it; these
// built-ins check the size of their result first and throw a RangeError instead.
const (
	MaxStringLength = 1 << 24 // characters in one string built by repeat, padStart, padEnd or join
	MaxArrayLength  = 1 << 22 // elements written by one fill or Array.from
)

// installLimits wraps the built-ins that can build huge values in one native call.
func (rt *runtime) installLimits() { InstallLimits(rt.vm) }

// InstallLimits wraps the built-ins of vm that can build huge values in one native call, so
// that they throw a RangeError past MaxStringLength / MaxArrayLength. Call it before any
// author code runs (the test runner does, so that tests see the server's limits).
func InstallLimits(vm *goja.Runtime) {
	// Everything here is made in every runtime, so nothing is looked up that the wrappers do not
	// need: RangeError only when one throws, and the prototypes from values rather than through
	// their constructors (goja makes a built-in the first time it is read). A script that
	// replaced the global RangeError by then gets what its own constructor makes or throws, or
	// a TypeError; the call is refused all the same.
	tooLong := func(what string, n float64, limit int) {
		msg := fmt.Sprintf("%s would be %.0f long; callscript allows at most %d", what, n, limit)
		if rangeError, ok := goja.AssertConstructor(vm.Get("RangeError")); ok {
			made, err := rangeError(nil, vm.ToValue(msg))
			if err != nil {
				panic(err)
			}
			if made != nil {
				panic(vm.ToValue(made))
			}
		}
		panic(vm.NewTypeError("%s", msg))
	}
	str := vm.ToValue("").ToObject(vm).Prototype()
	arrProto := vm.NewArray().Prototype()
	arr := arrProto.Get("constructor").ToObject(vm)

	wrap := func(obj *goja.Object, name string, check func(call goja.FunctionCall)) {
		builtIn := obj.Get(name)
		orig, ok := goja.AssertFunction(builtIn)
		if !ok {
			return
		}
		length := int(builtIn.ToObject(vm).Get("length").ToInteger())
		fn := jsfunc.New(vm, name, length, func(call goja.FunctionCall) goja.Value {
			check(call)
			v, err := orig(call.This, call.Arguments...)
			if err != nil {
				panic(err)
			}
			return v
		})
		_ = obj.DefineDataProperty(name, fn, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
	thisLength := func(call goja.FunctionCall) float64 {
		if goja.IsUndefined(call.This) || goja.IsNull(call.This) {
			return 0 // the built-in itself throws the TypeError
		}
		return float64(len(call.This.String()))
	}
	wrap(str, "repeat", func(call goja.FunctionCall) {
		if n := thisLength(call) * call.Argument(0).ToFloat(); n > MaxStringLength {
			tooLong("the repeated string", n, MaxStringLength)
		}
	})
	for _, name := range []string{"padStart", "padEnd"} {
		wrap(str, name, func(call goja.FunctionCall) {
			if n := call.Argument(0).ToFloat(); n > MaxStringLength {
				tooLong("the padded string", n, MaxStringLength)
			}
		})
	}
	arrayLength := func(v goja.Value) float64 {
		obj, ok := v.(*goja.Object)
		if !ok {
			return 0
		}
		return obj.Get("length").ToFloat()
	}
	wrap(arrProto, "fill", func(call goja.FunctionCall) {
		if n := arrayLength(call.This); n > MaxArrayLength {
			tooLong("the filled array", n, MaxArrayLength)
		}
	})
	wrap(arrProto, "join", func(call goja.FunctionCall) {
		sep := 1.0
		if s := call.Argument(0); !goja.IsUndefined(s) {
			sep = float64(len(s.String()))
		}
		if n := arrayLength(call.This) * sep; n > MaxStringLength {
			tooLong("the joined string", n, MaxStringLength)
		}
	})
	wrap(arr, "from", func(call goja.FunctionCall) {
		if n := arrayLength(call.Argument(0)); n > MaxArrayLength {
			tooLong("the array", n, MaxArrayLength)
		}
	})
}
