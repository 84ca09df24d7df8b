// cartapp writes a heap dump to os.Args[1]: 1000 cart.Item held by cart.all, 50 more held only by
// the local variable `local` of main.holder, and a channel global with 3 buffered items.
package main

import (
	"os"
	"runtime"
	"runtime/debug"

	"example.com/app/cart"
)

var jobs chan *cart.Item

// n is a parameter so that local's array is on the heap: an array on the stack (a constant
// capacity) is a stack object, whose pointers a heap dump does not list.
//
//go:noinline
func holder(ready, done chan struct{}, n int) {
	local := make([]*cart.Item, 0, n)
	for i := 0; i < n; i++ {
		local = append(local, &cart.Item{ID: int64(-i)})
	}
	close(ready)
	<-done // holder waits here
	runtime.KeepAlive(local)
}

func main() {
	runtime.MemProfileRate = 1
	cart.Fill(1000)
	jobs = make(chan *cart.Item, 8)
	for i := 0; i < 3; i++ {
		jobs <- &cart.Item{ID: int64(100000 + i)}
	}
	ready, done := make(chan struct{}), make(chan struct{})
	go holder(ready, done, 50)
	<-ready
	runtime.GC()
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	debug.WriteHeapDump(f.Fd())
	f.Close()
	close(done)
}
