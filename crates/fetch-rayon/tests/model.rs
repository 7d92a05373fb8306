//! fetch-rayon against a local origin: the checks every model must pass, with a pool of six
//! threads so that the six endpoints of the overlap check can all wait at once.

harness::model_tests!(env!("CARGO_BIN_EXE_fetch-rayon"), ["--threads", "6"]);
