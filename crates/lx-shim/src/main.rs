//! The shim executable: a static, libc-free image linked at lx's window
//! (`lx_kernel::layout::LX_BASE`). Everything lives in the library.
#![no_std]
#![no_main]

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    lx_shim::panic(info)
}
