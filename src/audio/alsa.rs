//! The laptop's sound device through ALSA's library, `libasound.so.2`,
//! loaded at run time: fieldlog builds without its headers and runs without
//! it, and a machine with no library or no device only loses playback and
//! recording, with the reason said once.

use super::AudioError;
use libc::{c_char, c_int, c_long, c_uint, c_ulong, c_void};
use std::ffi::{CStr, CString};
use std::sync::OnceLock;

const STREAM_PLAYBACK: c_int = 0;
const STREAM_CAPTURE: c_int = 1;
const FORMAT_S16_LE: c_int = 2;
const ACCESS_RW_INTERLEAVED: c_int = 3;
/// How much sound the device buffers: small, so that a pause is heard at once.
const LATENCY_US: c_uint = 60_000;

type Pcm = *mut c_void;

struct Library {
    open: unsafe extern "C" fn(*mut Pcm, *const c_char, c_int, c_int) -> c_int,
    set_params: unsafe extern "C" fn(Pcm, c_int, c_int, c_uint, c_uint, c_int, c_uint) -> c_int,
    writei: unsafe extern "C" fn(Pcm, *const c_void, c_ulong) -> c_long,
    readi: unsafe extern "C" fn(Pcm, *mut c_void, c_ulong) -> c_long,
    recover: unsafe extern "C" fn(Pcm, c_int, c_int) -> c_int,
    delay: unsafe extern "C" fn(Pcm, *mut c_long) -> c_int,
    drop: unsafe extern "C" fn(Pcm) -> c_int,
    prepare: unsafe extern "C" fn(Pcm) -> c_int,
    close: unsafe extern "C" fn(Pcm) -> c_int,
    strerror: unsafe extern "C" fn(c_int) -> *const c_char,
    set_error_handler: unsafe extern "C" fn(Option<ErrorHandler>) -> c_int,
}

/// ALSA's error handler: `(file, line, function, err, fmt, ...)`.
type ErrorHandler = unsafe extern "C" fn(*const c_char, c_int, *const c_char, c_int, *const c_char);

/// ALSA writes its errors to stderr, over the full screen: they are dropped
/// (fieldlog says why sound is off in its own words).
///
/// ALSA calls this as a variadic function; it reads none of the variadic
/// arguments, which on the C calling conventions of Linux (x86-64 System V,
/// AArch64 AAPCS) a callee may leave unread.
unsafe extern "C" fn quiet(_: *const c_char, _: c_int, _: *const c_char, _: c_int, _: *const c_char) {}

// SAFETY: the table holds plain function pointers into a library never unloaded.
unsafe impl Send for Library {}
unsafe impl Sync for Library {}

fn library() -> Result<&'static Library, AudioError> {
    static LIBRARY: OnceLock<Result<Library, String>> = OnceLock::new();
    LIBRARY.get_or_init(load).as_ref().map_err(|e| AudioError::NoDevice(e.clone()))
}

fn load() -> Result<Library, String> {
    let name = CString::new("libasound.so.2").expect("no NUL in a literal");
    // SAFETY: dlopen with a valid C string; the handle is kept for the process's life.
    let handle = unsafe { libc::dlopen(name.as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL) };
    if handle.is_null() {
        return Err("ALSA's library (libasound.so.2) is not installed".into());
    }
    let symbol = |name: &str| -> Result<*mut c_void, String> {
        let c = CString::new(name).expect("no NUL in a symbol name");
        // SAFETY: dlsym on a live handle with a valid C string.
        let found = unsafe { libc::dlsym(handle, c.as_ptr()) };
        if found.is_null() {
            Err(format!("ALSA's library lacks {name}"))
        } else {
            Ok(found)
        }
    };
    // SAFETY: each symbol is ALSA's function of that name, whose C signature
    // the field's type spells out (alsa/pcm.h).
    unsafe {
        Ok(Library {
            open: function(symbol("snd_pcm_open")?),
            set_params: function(symbol("snd_pcm_set_params")?),
            writei: function(symbol("snd_pcm_writei")?),
            readi: function(symbol("snd_pcm_readi")?),
            recover: function(symbol("snd_pcm_recover")?),
            delay: function(symbol("snd_pcm_delay")?),
            drop: function(symbol("snd_pcm_drop")?),
            prepare: function(symbol("snd_pcm_prepare")?),
            close: function(symbol("snd_pcm_close")?),
            strerror: function(symbol("snd_strerror")?),
            set_error_handler: function(symbol("snd_lib_error_set_handler")?),
        })
    }
    .inspect(|lib| {
        // SAFETY: a handler that ignores what it is given (see `quiet`).
        unsafe { (lib.set_error_handler)(Some(quiet)) };
    })
}

/// A function pointer from a symbol's address.
///
/// # Safety
/// `F` must be the function type of the symbol at `address`.
unsafe fn function<F: Copy>(address: *mut c_void) -> F {
    assert_eq!(std::mem::size_of::<F>(), std::mem::size_of::<*mut c_void>());
    // SAFETY: same size, and the caller vouches for the type.
    unsafe { std::mem::transmute_copy(&address) }
}

fn says(lib: &Library, code: c_int) -> String {
    // SAFETY: snd_strerror returns a static C string for any code.
    unsafe { CStr::from_ptr((lib.strerror)(code)) }.to_string_lossy().into_owned()
}

/// An open ALSA device, for playing or recording 16-bit frames.
struct Device {
    lib: &'static Library,
    pcm: Pcm,
    channels: u16,
}

// SAFETY: an ALSA pcm handle may be used from any one thread at a time; Device is not Sync.
unsafe impl Send for Device {}

impl Device {
    fn open(name: &str, stream: c_int, rate: u32, channels: u16) -> Result<Device, AudioError> {
        let lib = library()?;
        let cname =
            CString::new(name).map_err(|_| AudioError::NoDevice(format!("{name:?} is no device name")))?;
        let mut pcm: Pcm = std::ptr::null_mut();
        // SAFETY: pcm is an out pointer; the name a valid C string.
        let code = unsafe { (lib.open)(&mut pcm, cname.as_ptr(), stream, 0) };
        if code < 0 {
            return Err(AudioError::NoDevice(format!("no sound device {name:?}: {}", says(lib, code))));
        }
        let device = Device { lib, pcm, channels };
        // SAFETY: a pcm just opened.
        let code = unsafe {
            (lib.set_params)(
                pcm,
                FORMAT_S16_LE,
                ACCESS_RW_INTERLEAVED,
                c_uint::from(channels),
                rate,
                1,
                LATENCY_US,
            )
        };
        if code < 0 {
            return Err(AudioError::NoDevice(format!(
                "the sound device {name:?} cannot take {rate} Hz × {channels}: {}",
                says(lib, code)
            )));
        }
        Ok(device)
    }
}

impl Drop for Device {
    fn drop(&mut self) {
        // SAFETY: the pcm is open and not used after this.
        unsafe {
            (self.lib.drop)(self.pcm);
            (self.lib.close)(self.pcm);
        }
    }
}

/// Playback on an ALSA device.
pub struct Playback {
    device: Device,
    buffer: Vec<i16>,
}

impl Playback {
    pub fn open(name: &str, rate: u32, channels: u16) -> Result<Playback, AudioError> {
        Ok(Playback { device: Device::open(name, STREAM_PLAYBACK, rate, channels)?, buffer: Vec::new() })
    }
}

impl super::output::Output for Playback {
    fn write(&mut self, samples: &[f32]) -> Result<(), AudioError> {
        self.buffer.clear();
        self.buffer.extend(samples.iter().map(|s| (s.clamp(-1.0, 1.0) * 32767.0) as i16));
        let channels = usize::from(self.device.channels.max(1));
        let mut done = 0;
        while done < self.buffer.len() {
            let rest = &self.buffer[done..];
            let lib = self.device.lib;
            // SAFETY: rest holds rest.len()/channels whole frames of i16.
            let wrote = unsafe {
                (lib.writei)(self.device.pcm, rest.as_ptr().cast(), (rest.len() / channels) as c_ulong)
            };
            if wrote < 0 {
                // SAFETY: recover takes the error writei gave; an underrun is mended.
                let code = unsafe { (lib.recover)(self.device.pcm, wrote as c_int, 1) };
                if code < 0 {
                    return Err(AudioError::NoDevice(format!(
                        "the sound device stopped: {}",
                        says(lib, code)
                    )));
                }
                continue;
            }
            done += wrote as usize * channels;
        }
        Ok(())
    }

    fn delay(&mut self) -> u64 {
        let mut frames: c_long = 0;
        // SAFETY: an out pointer to a c_long.
        let code = unsafe { (self.device.lib.delay)(self.device.pcm, &mut frames) };
        if code < 0 {
            0
        } else {
            frames.max(0) as u64
        }
    }

    fn drop_buffered(&mut self) {
        // SAFETY: drop then prepare leaves the pcm ready for writing again.
        unsafe {
            (self.device.lib.drop)(self.device.pcm);
            (self.device.lib.prepare)(self.device.pcm);
        }
    }
}

/// Recording from an ALSA device.
pub struct Capture {
    device: Device,
}

impl Capture {
    pub fn open(name: &str, rate: u32, channels: u16) -> Result<Capture, AudioError> {
        Ok(Capture { device: Device::open(name, STREAM_CAPTURE, rate, channels)? })
    }
}

impl super::capture::Input for Capture {
    fn read(&mut self, frames: &mut [i16]) -> Result<usize, AudioError> {
        let channels = usize::from(self.device.channels.max(1));
        let lib = self.device.lib;
        loop {
            // SAFETY: frames has room for frames.len()/channels whole frames.
            let got = unsafe {
                (lib.readi)(self.device.pcm, frames.as_mut_ptr().cast(), (frames.len() / channels) as c_ulong)
            };
            if got >= 0 {
                return Ok(got as usize);
            }
            // SAFETY: recover takes the error readi gave; an overrun is mended.
            let code = unsafe { (lib.recover)(self.device.pcm, got as c_int, 1) };
            if code < 0 {
                return Err(AudioError::NoDevice(format!("the microphone stopped: {}", says(lib, code))));
            }
        }
    }
}
