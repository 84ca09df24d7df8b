# points.raku -- a v2 heap snapshot test program: known objects held by known lexicals.
use nqp;

class Point {
    has Int $.x;
    has Int $.y;
}

sub make-points(Int $n) {
    my @points = (^$n).map({ Point.new(x => $_, y => -$_) });
    nqp::force_gc();
    @points.elems;
}

say make-points(5000);
