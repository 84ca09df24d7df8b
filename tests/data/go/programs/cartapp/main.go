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

//go:noinline
func holder(ready, done chan struct{}) {
	local := make([]*cart.Item, 0, 50)
	for i := 0; i < 50; i++ {
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
	go holder(ready, done)
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
