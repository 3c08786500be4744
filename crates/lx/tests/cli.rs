//! lx's own command line: bad inputs give a clean one-line error and the
//! right exit status (127 missing, 126 not runnable), never a panic or a
//! hang; PATH lookup; `lx syscalls`.

mod common;

use common::*;
use std::ffi::OsStr;
use std::fs;
use std::path::Path;

fn lx_run(program: &OsStr) -> Output {
    lx(&[OsStr::new("run"), program])
}

#[test]
fn missing_program_absolute_path() {
    let p = "/nonexistent/lx-test/no-such-program";
    let out = lx_run(OsStr::new(p));
    assert_one_line_error(&out, 127, &format!("lx: {p}: "));
    assert_eq!(
        out.stderr_str(),
        format!("lx: {p}: No such file or directory\n")
    );
    assert_eq!(out.stdout, b"");
}

#[test]
fn missing_program_relative_path() {
    let p = "no/such/dir/prog";
    let out = lx_run(OsStr::new(p));
    assert_one_line_error(&out, 127, &format!("lx: {p}: "));
    assert_eq!(
        out.stderr_str(),
        format!("lx: {p}: No such file or directory\n")
    );
}

#[test]
fn missing_program_name_in_path() {
    let p = "no-such-program-lx-test";
    let out = lx_run(OsStr::new(p));
    assert_one_line_error(&out, 127, &format!("lx: {p}: "));
}

/// A bare name is looked up in PATH.
#[test]
fn program_found_in_path() {
    let exit = fixture(Fx::ExitMusl);
    let dir = exit.parent().unwrap();
    let name = exit.file_name().unwrap();
    let mut path = dir.as_os_str().to_os_string();
    path.push(":/usr/bin:/bin");
    let mut c = std::process::Command::new(lx_bin());
    c.arg("run")
        .arg(name)
        .arg("42")
        .env_clear()
        .env("PATH", path);
    let out = run(&mut c, b"");
    assert_eq!(out.status.code(), Some(42), "{}", out.dump());
    assert_eq!(out.stderr_str(), "", "{}", out.dump());
}

#[test]
fn text_file_without_shebang() {
    let p = write_file("notes.txt", b"just some text\nnot a program\n", 0o755);
    assert_one_line_error(
        &lx_run(p.as_os_str()),
        126,
        &format!("lx: {}: ", p.display()),
    );
}

#[test]
fn directory() {
    let p = scratch("a-directory");
    fs::create_dir_all(&p).unwrap();
    assert_one_line_error(
        &lx_run(p.as_os_str()),
        126,
        &format!("lx: {}: ", p.display()),
    );
}

#[test]
fn truncated_elf() {
    let elf = fs::read(fixture(Fx::HelloMusl)).unwrap();
    let p = write_file("truncated.elf", &elf[..30], 0o755);
    assert_one_line_error(
        &lx_run(p.as_os_str()),
        126,
        &format!("lx: {}: ", p.display()),
    );
}

/// A real program cut after its headers: the segments are not in the file.
#[test]
fn elf_cut_after_headers() {
    let elf = fs::read(fixture(Fx::HelloMusl)).unwrap();
    let p = write_file("cut.elf", &elf[..1024.min(elf.len() / 2)], 0o755);
    assert_one_line_error(
        &lx_run(p.as_os_str()),
        126,
        &format!("lx: {}: ", p.display()),
    );
}

#[test]
fn aarch64_elf() {
    let mut elf = fs::read(fixture(Fx::HelloMusl)).unwrap();
    elf[18..20].copy_from_slice(&183u16.to_le_bytes()); // e_machine = EM_AARCH64
    let p = write_file("aarch64.elf", &elf, 0o755);
    assert_one_line_error(
        &lx_run(p.as_os_str()),
        126,
        &format!("lx: {}: ", p.display()),
    );
}

/// A complete, valid i386 (ELFCLASS32, EM_386) program: `exit(0)` via int 0x80.
#[test]
fn i386_elf() {
    let p = write_file("i386.elf", &i386_exit0(), 0o755);
    assert_one_line_error(
        &lx_run(p.as_os_str()),
        126,
        &format!("lx: {}: ", p.display()),
    );
}

fn i386_exit0() -> Vec<u8> {
    const BASE: u32 = 0x0804_8000;
    let code: &[u8] = &[
        0xb8, 0x01, 0x00, 0x00, 0x00, // mov eax, 1 (exit)
        0x31, 0xdb, // xor ebx, ebx
        0xcd, 0x80, // int 0x80
    ];
    let (ehsize, phsize) = (52u32, 32u32);
    let entry = BASE + ehsize + phsize;
    let filesz = ehsize + phsize + code.len() as u32;
    let mut v = Vec::new();
    v.extend_from_slice(b"\x7fELF\x01\x01\x01\x00"); // ELFCLASS32, LSB, version 1, SYSV
    v.extend_from_slice(&[0; 8]);
    v.extend_from_slice(&2u16.to_le_bytes()); // e_type ET_EXEC
    v.extend_from_slice(&3u16.to_le_bytes()); // e_machine EM_386
    v.extend_from_slice(&1u32.to_le_bytes()); // e_version
    v.extend_from_slice(&entry.to_le_bytes()); // e_entry
    v.extend_from_slice(&ehsize.to_le_bytes()); // e_phoff
    v.extend_from_slice(&0u32.to_le_bytes()); // e_shoff
    v.extend_from_slice(&0u32.to_le_bytes()); // e_flags
    v.extend_from_slice(&(ehsize as u16).to_le_bytes()); // e_ehsize
    v.extend_from_slice(&(phsize as u16).to_le_bytes()); // e_phentsize
    v.extend_from_slice(&1u16.to_le_bytes()); // e_phnum
    v.extend_from_slice(&40u16.to_le_bytes()); // e_shentsize
    v.extend_from_slice(&0u16.to_le_bytes()); // e_shnum
    v.extend_from_slice(&0u16.to_le_bytes()); // e_shstrndx
    assert_eq!(v.len(), ehsize as usize);
    for field in [1, 0, BASE, BASE, filesz, filesz, 5, 0x1000] {
        // PT_LOAD, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, PF_R|PF_X, p_align
        v.extend_from_slice(&u32::to_le_bytes(field));
    }
    v.extend_from_slice(code);
    v
}

#[test]
fn run_without_program_is_a_usage_error() {
    let out = lx(&[OsStr::new("run")]);
    assert!(
        !out.status.success() && out.status.code().is_some(),
        "`lx run` without a program must fail cleanly\n{}",
        out.dump()
    );
    assert!(!out.stderr_str().contains("panicked"), "{}", out.dump());
}

#[test]
fn unknown_subcommand_is_an_error() {
    let out = lx(&[OsStr::new("no-such-subcommand")]);
    assert!(
        !out.status.success() && out.status.code().is_some(),
        "{}",
        out.dump()
    );
    assert!(!out.stderr_str().contains("panicked"), "{}", out.dump());
}

#[test]
fn syscalls_lists_read_and_write() {
    let out = lx(&[OsStr::new("syscalls")]);
    assert_eq!(out.status.code(), Some(0), "{}", out.dump());
    let s = out.stdout_str();
    let has = |name: &str| {
        s.lines().any(|l| {
            l.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .any(|w| w == name)
        })
    };
    for name in ["read", "write", "getpid", "uname"] {
        assert!(
            has(name),
            "`lx syscalls` does not list {name}\n{}",
            out.dump()
        );
    }
}

/// COMPATIBILITY.md carries the output of `lx syscalls --markdown` below its
/// marker line: it must match what this lx prints.
#[test]
fn compatibility_doc_is_current() {
    let doc =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../COMPATIBILITY.md"))
            .unwrap();
    let marker =
        "<!-- generated by `lx syscalls --markdown`: keep below this line as printed -->\n";
    let at = doc
        .find(marker)
        .expect("COMPATIBILITY.md has the generated-table marker");
    let out = std::process::Command::new(lx_bin())
        .args(["syscalls", "--markdown"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        &doc[at + marker.len()..],
        String::from_utf8(out.stdout).unwrap(),
        "COMPATIBILITY.md is stale: regenerate its table with `lx syscalls --markdown`"
    );
}
