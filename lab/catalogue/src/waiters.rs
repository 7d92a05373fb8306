//! The waiting programs: N waiters, each on a timer and no socket, model by model, in Rust
//! (`crates/waits`), Python (`python/waits`) and Node (`js/waits`). What a waiting unit costs
//! without its connection: a task, a green thread, a Deferred, a thread, a promise.

use crate::{Rgb, color};

/// What runs a waiting program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// A binary of `crates/waits`.
    Rust,
    /// A file of `python/waits`, run by [`crate::PYTHON`].
    Python,
    /// A file of `js/waits`, run by [`crate::NODE`].
    Node,
}

/// A waiting program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Waiter {
    /// The binary (`waits-tokio`) or the file (`asyncio_waits.py`): the row's name.
    pub name: &'static str,
    pub language: Language,
    /// What a waiter is, in a few words.
    pub unit: &'static str,
    /// The row whose colour it takes: the client of the same model, or the talks' program of
    /// the same library.
    pub like: &'static str,
}

impl Waiter {
    /// The waiting program named `name`.
    pub fn named(name: &str) -> Option<&'static Waiter> {
        WAITERS.iter().find(|w| w.name == name)
    }

    /// Its source, from the workspace's root.
    pub fn path(&self) -> String {
        match self.language {
            Language::Rust => format!("crates/waits/src/bin/{}.rs", self.name),
            Language::Python => format!("python/waits/{}", self.name),
            Language::Node => format!("js/waits/{}", self.name),
        }
    }

    pub fn color(&self) -> Rgb {
        match self.name {
            // The floor, no task at all: a colour of its own.
            "waits-join-all" => Rgb(20, 40, 110),
            _ => color(self.like),
        }
    }
}

/// Every waiting program, Rust first in the models' order, then Python, then Node.
pub const WAITERS: &[Waiter] = &[
    Waiter {
        name: "waits-threads",
        language: Language::Rust,
        unit: "an OS thread, thread::sleep",
        like: "fetch-threads",
    },
    Waiter {
        name: "waits-async-std",
        language: Language::Rust,
        unit: "an async-std task, task::sleep",
        like: "fetch-async-std",
    },
    Waiter {
        name: "waits-smol",
        language: Language::Rust,
        unit: "a smol task, Timer::after",
        like: "fetch-smol",
    },
    Waiter {
        name: "waits-tokio",
        language: Language::Rust,
        unit: "a tokio task, tokio::time::sleep",
        like: "fetch-tokio",
    },
    Waiter {
        name: "waits-reactor",
        language: Language::Rust,
        unit: "a Deferred fired by the reactor's call_later",
        like: "fetch-reactor",
    },
    Waiter {
        name: "waits-green",
        language: Language::Rust,
        unit: "a green thread on the hub, io.sleep",
        like: "fetch-green",
    },
    Waiter {
        name: "waits-compio",
        language: Language::Rust,
        unit: "a compio task, compio::time::sleep",
        like: "fetch-compio",
    },
    Waiter {
        name: "waits-join-all",
        language: Language::Rust,
        unit: "a sleep future under join_all, one thread, no task",
        like: "fetch-tokio",
    },
    Waiter {
        name: "asyncio_waits.py",
        language: Language::Python,
        unit: "an asyncio task, asyncio.sleep",
        like: "async.py",
    },
    Waiter {
        name: "gevent_waits.py",
        language: Language::Python,
        unit: "a greenlet, gevent.sleep",
        like: "gevnt.py",
    },
    Waiter {
        name: "eventlet_waits.py",
        language: Language::Python,
        unit: "a green thread of a GreenPool, eventlet.sleep",
        like: "evntlt.py",
    },
    Waiter {
        name: "twisted_waits.py",
        language: Language::Python,
        unit: "a Deferred from deferLater",
        like: "twis.py",
    },
    Waiter {
        name: "tornado_waits.py",
        language: Language::Python,
        unit: "a gen.sleep future under gen.multi",
        like: "torn2.py",
    },
    Waiter {
        name: "threads_waits.py",
        language: Language::Python,
        unit: "a threading.Thread, time.sleep",
        like: "thrd.py",
    },
    Waiter {
        name: "timeouts.mjs",
        language: Language::Node,
        unit: "a promise resolved by setTimeout, under Promise.all",
        like: "promises.mjs",
    },
];
