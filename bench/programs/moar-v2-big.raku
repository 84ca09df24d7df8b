# moar-v2-big.raku -- a bigger heap for bench/moar-v2.sh: 60,000 objects of a class held by one Array.
use nqp;

class Node {
    has Int $.id;
    has Str $.name;
}

my @nodes = (^60_000).map({ Node.new(id => $_, name => "node-$_") });
nqp::force_gc();
say @nodes.elems;
