// Package cart holds the heap the executable-reading tests look for: the counts below are what
// tests/formats/go/GoExecutableTests.cpp expects.
package cart

import "strconv"

// Item is a 48-byte struct (8 + 16 + 24) with pointers: a 48-byte size class.
type Item struct {
	ID   int64
	Name string
	Tags []string
}

// Cart groups items.
type Cart struct {
	Owner string
	Items []*Item
}

// Shape is held through an interface.
type Shape interface{ Area() int64 }

// Square is the one Shape.
type Square struct{ Side int64 }

func (s *Square) Area() int64 { return s.Side * s.Side }

var (
	all     []*Item          // 1000 items, from Fill
	byName  map[string]*Item // 200 entries, from Fill
	current Shape            // one *Square
	Default = NewCart("default") // on the heap: a &Cart{...} literal here would be static data
)

// NewCart makes an empty cart.
//
//go:noinline
func NewCart(owner string) *Cart { return &Cart{Owner: owner} }

// Fill allocates n items into all, the first 200 also into byName, and 5 of them into Default.
func Fill(n int) {
	byName = make(map[string]*Item)
	for i := 0; i < n; i++ {
		it := &Item{ID: int64(i), Name: "item-" + strconv.Itoa(i)}
		all = append(all, it)
		if i < 200 {
			byName[it.Name] = it
		}
		if i < 5 {
			Default.Items = append(Default.Items, it)
		}
	}
	current = &Square{Side: 3}
}
