package action

import (
	"context"
	"errors"
	"fmt"
	"runtime/metrics"
	"sync"
	"time"

	"github.com/dop251/goja"

	"github.com/bora-workflow/bora/internal/value"
)

const (
	// jsMaxCallStack bounds recursion, whose frames goja keeps on its own
	// heap-allocated stack.
	jsMaxCallStack = 10000
	// jsMemoryPoll is how often the memory bound is checked.
	jsMemoryPoll = 5 * time.Millisecond
	// jsAbandonAfter is how long a script stuck inside one native call
	// (which goja cannot interrupt) may keep its task waiting after the
	// interrupt; the action then fails and the goroutine is left to end.
	jsAbandonAfter = time.Second
	// liveHeapMetric is the heap still reachable at the last GC.
	liveHeapMetric = "/gc/heap/live:bytes"
)

// jsAction runs std.javascript and its alias std.js with goja.
type jsAction struct {
	opts StdOptions
}

func (a jsAction) definition(name string) *Definition {
	return &Definition{
		Name:        name,
		Class:       stdClass + "JavaScriptAction",
		Description: "Runs a JavaScript function body with context bound to $ and returns what it returns.",
		Params:      []Param{Required("script"), Optional("context", nil)},
		Run: func(ctx context.Context, input *value.Map, _ ExecutionContext) Outcome {
			res, err := a.eval(ctx, str(get(input, "script")), get(input, "context"))
			if err != nil {
				return failed("JavaScriptAction failed: %s", err.Error())
			}
			return Outcome{Result: res}
		},
	}
}

// jsStop is why a script was interrupted.
type jsStop struct{ reason string }

// eval runs script as Mistral does: as the body of a function, called
// once, with $ holding the context. Values cross the boundary as JSON,
// so objects keep their key order and whole numbers come back as
// integers.
func (a jsAction) eval(ctx context.Context, script string, jsCtx any) (any, error) {
	ctxJSON, err := value.Encode(jsCtx)
	if err != nil {
		return nil, fmt.Errorf("context: %w", err)
	}
	vm := goja.New()
	vm.SetMaxCallStackSize(jsMaxCallStack)

	type outcome struct {
		res any
		err error
	}
	done := make(chan outcome, 1)
	// stopped closes at the first interrupt, so the wait below ends even
	// if the VM is stuck in a native call and never notices.
	stopped := make(chan struct{})
	var once sync.Once
	interrupt := func(reason string) {
		once.Do(func() {
			vm.Interrupt(jsStop{reason})
			close(stopped)
		})
	}

	if t := a.opts.JSTimeout; t > 0 {
		timer := time.AfterFunc(t, func() { interrupt(fmt.Sprintf("script ran over its time limit of %s", t)) })
		defer timer.Stop()
	}
	stopCtx := context.AfterFunc(ctx, func() { interrupt("cancelled: " + context.Cause(ctx).Error()) })
	defer stopCtx()
	watchDone := make(chan struct{})
	defer close(watchDone)
	if limit := a.opts.JSMaxMemoryBytes; limit > 0 {
		if err := guardAllocations(vm, limit); err != nil {
			return nil, err
		}
		go watchMemory(limit, watchDone, interrupt)
	}

	go func() {
		res, err := runScript(vm, script, string(ctxJSON))
		done <- outcome{res, err}
	}()

	select {
	case o := <-done:
		return o.res, o.err
	case <-stopped:
	}
	// The interrupt is on its way; give the VM a moment to notice it.
	abandon := time.NewTimer(jsAbandonAfter)
	defer abandon.Stop()
	select {
	case o := <-done:
		return o.res, o.err
	case <-abandon.C:
		return nil, errors.New("script did not stop after its interrupt and was abandoned")
	}
}

func runScript(vm *goja.Runtime, script, ctxJSON string) (any, error) {
	parse, _ := goja.AssertFunction(vm.Get("JSON").ToObject(vm).Get("parse"))
	stringify, _ := goja.AssertFunction(vm.Get("JSON").ToObject(vm).Get("stringify"))
	dollar, err := parse(goja.Undefined(), vm.ToValue(ctxJSON))
	if err != nil {
		return nil, jsError(err)
	}
	if err := vm.Set("$", dollar); err != nil {
		return nil, fmt.Errorf("binding $: %w", err)
	}
	// Mistral's wrapping: the script is a function body, so it ends with
	// return.
	out, err := vm.RunString("(function f() {\n" + script + "\n})()")
	if err != nil {
		return nil, jsError(err)
	}
	js, err := stringify(goja.Undefined(), out)
	if err != nil {
		return nil, jsError(err)
	}
	if goja.IsUndefined(js) || goja.IsNull(js) {
		return nil, nil // undefined or a function: Python's None
	}
	v, err := value.DecodeString(js.String())
	if err != nil {
		return nil, fmt.Errorf("result: %w", err)
	}
	return v, nil
}

// jsError turns a goja error into the message a workflow sees: the thrown
// value ("Error: boom"), without goja's stack trace.
func jsError(err error) error {
	// Checked before Exception, which it embeds with no value.
	var so *goja.StackOverflowError
	if errors.As(err, &so) {
		return errors.New("RangeError: Maximum call stack size exceeded")
	}
	var ex *goja.Exception
	if errors.As(err, &ex) && ex.Value() != nil {
		return errors.New(ex.Value().String())
	}
	var in *goja.InterruptedError
	if errors.As(err, &in) {
		if s, ok := in.Value().(jsStop); ok {
			return errors.New(s.reason)
		}
	}
	return err
}

// watchMemory interrupts the script when the live heap grows by more
// than limit while it runs. Go cannot account memory per goroutine, so
// this measures the process: it is a guard that keeps a runaway script
// from taking the executor down, not exact accounting, and it assumes
// the rest of the process does not grow its live heap by as much during
// one script.
func watchMemory(limit int64, done <-chan struct{}, interrupt func(string)) {
	sample := []metrics.Sample{{Name: liveHeapMetric}}
	read := func() int64 {
		metrics.Read(sample)
		if sample[0].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return int64(sample[0].Value.Uint64())
	}
	base := read()
	tick := time.NewTicker(jsMemoryPoll)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return
		case <-tick.C:
			// The baseline follows the lowest live heap seen: garbage from
			// before the script, live at the last GC, must not hide growth.
			cur := read()
			base = min(base, cur)
			if cur-base > limit {
				interrupt(fmt.Sprintf("script went over its memory limit of %d bytes", limit))
				return
			}
		}
	}
}

// guardAllocations makes the built-ins that allocate a whole large string
// in one native call (which the watcher cannot interrupt) check the size
// first and throw a RangeError, as an engine out of memory would.
func guardAllocations(vm *goja.Runtime, limit int64) error {
	_, err := vm.RunString(fmt.Sprintf(`(function (limit) {
  var P = String.prototype;
  var repeat = P.repeat, padStart = P.padStart, padEnd = P.padEnd;
  function check(n) {
    if (n > limit) { throw new RangeError("string of " + n + " characters is over the memory limit"); }
  }
  Object.defineProperty(P, "repeat", {value: function (count) {
    check(String(this).length * Number(count)); return repeat.call(this, count);
  }, writable: true, configurable: true});
  Object.defineProperty(P, "padStart", {value: function (len, s) {
    check(Number(len)); return padStart.call(this, len, s);
  }, writable: true, configurable: true});
  Object.defineProperty(P, "padEnd", {value: function (len, s) {
    check(Number(len)); return padEnd.call(this, len, s);
  }, writable: true, configurable: true});
})(%d)`, limit/2)) // goja strings may hold 2 bytes per character
	if err != nil {
		return fmt.Errorf("installing allocation guards: %w", err)
	}
	return nil
}
