//! Helpers for the models' tests.
