//! # DISM.log
//!
//! `%windir%\Logs\DISM\dism.log`: what the Deployment Image Servicing and Management tool did, session
//! after session (`/Online /Cleanup-Image /RestoreHealth`, `/Add-Package`, offline servicing from WinPE
//! in task sequences). DISM hands the store work to CBS, so its CBS and CSI lines are in the log too.
//!
//! ## Layout
//! The CBS.log prefix (`YYYY-MM-DD HH:MM:SS, Level` padded to column 43, component padded to 6):
//! ```text
//! 2023-05-17 08:44:05, Info                  DISM   DISM.EXE: <----- Starting Dism.exe session ----->
//! 2023-05-17 08:44:05, Info                  DISM   DISM.EXE: Executing command line: dism  /online /cleanup-image /restorehealth
//! 2023-05-17 08:44:05, Info                  DISM   DISM.EXE: Target image information: OS Version=10.0.22621.1702, Image architecture=amd64
//! 2023-05-17 12:06:13, Error                 DISM   DISM Package Manager: PID=5372 TID=12244 Failed to restore the image health. - CPackageManagerCLIHandler::ProcessCmdLine_CleanupImage(hr:0x800f081f)
//! 2023-05-17 12:06:13, Error                 DISM   DISM.EXE: DISM Package Manager processed the command line but failed. HRESULT=800F081F
//! 2023-05-17 12:06:14, Info                  DISM   DISM.EXE: Image session has been closed. Reboot required=no.
//! ```
//! A DISM message is `Provider: PID=n TID=n text - Class::Method(hr:0x…)`; the provider becomes the
//! event's component (`DISM Package Manager`), the text and method its message.
//!
//! ## Quirks seen in real logs
//! * Appx provider errors continue over untimestamped lines (`    Msg:[Failed to open '…'.]`, then
//!   ` - CAppxManager::ResultLoggingCallback`): one record.
//! * WIMGAPI writes its own trace lines without a timestamp (`[7560.9068] [0x8007007b]
//!   FIOReadFileIntoBuffer:(1454): …`, `[1048] [0xc142011c] …`) between DISM lines, every time DISM
//!   probes for a mounted image. They are records of their own (no time, no component) so their codes
//!   do not stick to the DISM line before them; the probing failures are routine.
//! * `Host machine information: OS Version=…` is the OS DISM runs on, which is WinPE in a task
//!   sequence: only `Target image information: OS Version=…` (the image serviced, revision = UBR) is a
//!   fact about the machine.
//! * UTF-8 with BOM; CRLF with a few bare LFs inside multi-line records.

pub mod extract;
pub mod parse;

use wudiag_evidence::EvidenceBatch;

use crate::Sniff;
use crate::cbs_log::parse::{Dialect, starts_record};
use crate::cbs_log::{SniffVerdict, sniff_servicing};
use crate::text::TextFormat;

/// The DISM.log reader.
pub struct DismLog;

impl TextFormat for DismLog {
    fn starts_record(&self, line: &[u8]) -> bool {
        starts_record(line, Dialect::Dism)
    }

    fn read_block(&self, block: &[u8], batch: &mut EvidenceBatch) {
        crate::cbs_log::extract::read_block(block, batch, Dialect::Dism);
    }
}

/// Scores an input as DISM.log: DISM-component lines dominate its timestamped lines.
pub fn sniff(s: &Sniff<'_>) -> u8 {
    if crate::cbs_log::is_setup_log_name(s.name) {
        return 0;
    }
    let by_name = s.name.starts_with("dism") && crate::cbs_log::has_log_extension(s.name);
    match sniff_servicing(s) {
        SniffVerdict::Dism(score) => score,
        SniffVerdict::Cbs(_) => 0,
        SniffVerdict::None => {
            if by_name {
                30
            } else {
                0
            }
        }
    }
}

/// The reader, for the `FORMATS` row.
pub static READER: DismLog = DismLog;
