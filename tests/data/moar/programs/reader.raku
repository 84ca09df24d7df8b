# reader.raku -- a closure's frame keeps its captured lexicals alive (issue #16, Raku frames and lexicals).
use nqp;

sub make-reader(Int $n) {
    my @seen = (^$n).map(* + 1).Array;
    my $buffer = buf8.allocate(3_000_000);
    my $reads = 0;
    return -> { $reads++; @seen.elems + $buffer.elems }
}

my $reader = make-reader(20_000);
sub take-snapshot() { nqp::force_gc() }
take-snapshot();
say $reader();
