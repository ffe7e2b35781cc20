//! Replays a single recorded op on new inputs (used to localise a faulty backward rule).
