//! Printing the tape: the Wengert list, the reverse sweep, and Graphviz DOT.
