//! `AGT`: the Windows Update client (scan, download, install).

pub mod access_denied;
pub mod download_signature_untrusted;
pub mod update_install_failed;
