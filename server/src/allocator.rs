//! The C allocator's settings for a server that handles a few very large buffers (argon2's
//! 19 MiB per hash) among many small ones.

/// Allocations of 1 MiB and more are mapped on their own and unmapped when freed. glibc's
/// default threshold rises to the size of the largest block freed, after which argon2's buffers
/// come from the heap and their pages stay with the process when freed.
pub fn return_large_blocks() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes the allocator's parameters; it is called once, at start,
    // before the runtime's threads exist.
    #[allow(unsafe_code)]
    unsafe {
        if libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20) != 1 {
            tracing::warn!("could not set the allocator's mmap threshold");
        }
    }
}
