//! Build the shim (a separate `no_std` image for x86_64-unknown-none, linked
//! at lx's window) and hand its path to the CLI, which embeds it.

use std::env;
use std::path::PathBuf;
use std::process::Command;

/// Must equal `lx_kernel::layout::LX_BASE`.
const LX_BASE: &str = "0x6f0000000000";

fn main() {
    let manifest =
        PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let crates = manifest.parent().expect("lx sits in crates/").to_path_buf();
    let shim = crates.join("lx-shim");
    let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let target_dir = out.join("shim-target");
    for dir in ["lx-shim", "lx-kernel", "lx-abi"] {
        println!(
            "cargo:rerun-if-changed={}",
            crates.join(dir).join("src").display()
        );
        println!(
            "cargo:rerun-if-changed={}",
            crates.join(dir).join("Cargo.toml").display()
        );
    }
    println!("cargo:rerun-if-changed={}", shim.join("build.rs").display());

    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let rustflags = [
        "-Crelocation-model=pic",
        "-Clink-arg=-no-pie",
        &format!("-Clink-arg=--image-base={LX_BASE}"),
        "-Clink-arg=-znoexecstack",
        "-Copt-level=2",
        "-Cdebuginfo=0",
        "-Cforce-frame-pointers=no",
    ]
    .join("\x1f");
    let mut cmd = Command::new(cargo);
    cmd.args([
        "build",
        "--release",
        "-p",
        "lx-shim",
        "--bin",
        "lx-shim",
        "--features",
        "image",
    ])
    .args(["--target", "x86_64-unknown-none"])
    .arg("--manifest-path")
    .arg(crates.parent().expect("workspace root").join("Cargo.toml"))
    .arg("--target-dir")
    .arg(&target_dir)
    .env("CARGO_ENCODED_RUSTFLAGS", rustflags);
    // Do not leak the outer build's wrappers and flags (clippy, coverage...).
    for var in [
        "RUSTC_WORKSPACE_WRAPPER",
        "RUSTC_WRAPPER",
        "RUSTFLAGS",
        "CARGO_BUILD_RUSTFLAGS",
        "CARGO_TARGET_DIR",
        "CARGO_MAKEFLAGS",
        "MAKEFLAGS",
        "MFLAGS",
    ] {
        cmd.env_remove(var);
    }
    let status = cmd.status().expect("run cargo to build the shim");
    assert!(
        status.success(),
        "building lx-shim for x86_64-unknown-none failed"
    );
    let bin = target_dir.join("x86_64-unknown-none/release/lx-shim");
    println!("cargo:rustc-env=LX_SHIM_PATH={}", bin.display());
}
