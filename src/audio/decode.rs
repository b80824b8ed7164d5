//! A recording decoded in-process: any format symphonia reads (WAV, MP3,
//! M4A/AAC, FLAC, Ogg/Vorbis), and Ogg/Opus through a pure-Rust Opus
//! decoder. Samples come out as interleaved `f32`, from any moment.

use super::AudioError;
use std::io::{Read, Seek};
use symphonia::core::audio::SampleBuffer;
use symphonia::core::codecs::{Decoder, DecoderOptions, CODEC_TYPE_NULL, CODEC_TYPE_OPUS};
use symphonia::core::formats::{FormatOptions, FormatReader, SeekMode, SeekTo};
use symphonia::core::io::{MediaSource, MediaSourceStream, MediaSourceStreamOptions};
use symphonia::core::meta::MetadataOptions;
use symphonia::core::probe::Hint;

/// Bytes a recording can be read from: a file, or a sealed one opened.
pub trait Bytes: Read + Seek + Send + Sync {}
impl<T: Read + Seek + Send + Sync> Bytes for T {}

struct Source {
    inner: Box<dyn Bytes>,
    len: Option<u64>,
}

impl Read for Source {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner.read(buf)
    }
}

impl Seek for Source {
    fn seek(&mut self, pos: std::io::SeekFrom) -> std::io::Result<u64> {
        self.inner.seek(pos)
    }
}

impl MediaSource for Source {
    fn is_seekable(&self) -> bool {
        true
    }
    fn byte_len(&self) -> Option<u64> {
        self.len
    }
}

/// What a recording is: its length, rate, channels and codec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Info {
    pub frames: u64,
    pub sample_rate: u32,
    pub channels: u16,
    pub codec: String,
}

impl Info {
    pub fn duration_ms(&self) -> u64 {
        self.frames * 1000 / u64::from(self.sample_rate.max(1))
    }
}

enum Codec {
    Symphonia(Box<dyn Decoder>),
    Opus(Box<opus_decoder::OpusDecoder>),
}

/// A recording open for decoding.
pub struct Stream {
    format: Box<dyn FormatReader>,
    codec: Codec,
    track: u32,
    info: Info,
    /// Frames to drop before the next block is handed out (Opus pre-skip, an accurate seek).
    skip: u64,
    /// Frames at the start that are not heard (Opus pre-skip, AAC priming).
    delay: u64,
    /// Where the next frame handed out is, in frames from the start.
    position: u64,
    block: Vec<f32>,
}

impl Stream {
    /// Opens `bytes` (`extension` helps find the format; the content decides).
    pub fn open(
        bytes: Box<dyn Bytes>,
        len: Option<u64>,
        extension: Option<&str>,
    ) -> Result<Stream, AudioError> {
        let mut bytes = bytes;
        // MP4's priming and length, in the track's rate (ffmpeg and phones write it so).
        let edit = super::mp4::edit(&mut *bytes);
        let source = Source { inner: bytes, len };
        let stream = MediaSourceStream::new(Box::new(source), MediaSourceStreamOptions::default());
        let mut hint = Hint::new();
        if let Some(extension) = extension {
            hint.with_extension(extension);
        }
        let probed = symphonia::default::get_probe()
            .format(
                &hint,
                stream,
                &FormatOptions { enable_gapless: true, ..Default::default() },
                &MetadataOptions::default(),
            )
            .map_err(|e| AudioError::Unreadable(e.to_string()))?;
        let format = probed.format;
        let track = format
            .tracks()
            .iter()
            .find(|t| t.codec_params.codec != CODEC_TYPE_NULL)
            .ok_or_else(|| AudioError::Unreadable("it holds no sound track".into()))?;
        let params = track.codec_params.clone();
        let track_id = track.id;
        let sample_rate =
            params.sample_rate.ok_or_else(|| AudioError::Unreadable("it gives no sample rate".into()))?;
        let channels = params.channels.map_or(1, |c| c.count()) as u16;
        let (codec, name, mut skip) = if params.codec == CODEC_TYPE_OPUS {
            let decoder = opus_decoder::OpusDecoder::new(sample_rate, usize::from(channels))
                .map_err(|e| AudioError::Unreadable(format!("its Opus stream: {e}")))?;
            (Codec::Opus(Box::new(decoder)), "opus".to_string(), u64::from(params.delay.unwrap_or(0)))
        } else {
            let decoder = symphonia::default::get_codecs()
                .make(&params, &DecoderOptions::default())
                .map_err(|e| AudioError::Unreadable(e.to_string()))?;
            let name = symphonia::default::get_codecs()
                .get_codec(params.codec)
                .map_or_else(|| "audio".to_string(), |d| d.short_name.to_string());
            (Codec::Symphonia(decoder), name, 0)
        };
        let mut frames = params.n_frames.unwrap_or(0);
        let mut delay = 0;
        if params.codec == CODEC_TYPE_OPUS {
            // Ogg counts the pre-skip in; the last page's position marks the end.
            delay = skip;
            frames = frames.saturating_sub(skip);
        }
        if let Some((priming, length)) = edit {
            skip = priming;
            delay = priming;
            frames = length.unwrap_or(frames.saturating_sub(priming));
        }
        let info = Info { frames, sample_rate, channels, codec: name };
        Ok(Stream { format, codec, track: track_id, info, skip, delay, position: 0, block: Vec::new() })
    }

    pub fn info(&self) -> &Info {
        &self.info
    }

    /// Where the next block starts, in frames.
    pub fn position(&self) -> u64 {
        self.position
    }

    /// The next block of interleaved samples; none at the end.
    pub fn next_block(&mut self) -> Result<Option<&[f32]>, AudioError> {
        loop {
            let packet = match self.format.next_packet() {
                Ok(p) => p,
                Err(symphonia::core::errors::Error::IoError(e))
                    if e.kind() == std::io::ErrorKind::UnexpectedEof =>
                {
                    return Ok(None)
                }
                Err(symphonia::core::errors::Error::ResetRequired) => return Ok(None),
                Err(e) => return Err(AudioError::Unreadable(e.to_string())),
            };
            if packet.track_id() != self.track {
                continue;
            }
            let channels = usize::from(self.info.channels.max(1));
            match &mut self.codec {
                Codec::Symphonia(decoder) => match decoder.decode(&packet) {
                    Ok(decoded) => {
                        let mut samples =
                            SampleBuffer::<f32>::new(decoded.capacity() as u64, *decoded.spec());
                        samples.copy_interleaved_ref(decoded);
                        self.block.clear();
                        self.block.extend_from_slice(samples.samples());
                    }
                    // A damaged packet is skipped, as players do.
                    Err(symphonia::core::errors::Error::DecodeError(_)) => continue,
                    Err(e) => return Err(AudioError::Unreadable(e.to_string())),
                },
                Codec::Opus(decoder) => {
                    self.block.resize(5760 * channels, 0.0);
                    match decoder.decode_float(&packet.data, &mut self.block, false) {
                        Ok(frames) => self.block.truncate(frames * channels),
                        Err(_) => continue,
                    }
                }
            }
            let frames = (self.block.len() / channels) as u64;
            let dropped = self.skip.min(frames);
            self.skip -= dropped;
            if dropped == frames {
                continue;
            }
            self.block.drain(..dropped as usize * channels);
            let mut frames = frames - dropped;
            // Padding after the end the container gives is not heard.
            if self.info.frames > 0 && self.position + frames > self.info.frames {
                frames = self.info.frames.saturating_sub(self.position);
                if frames == 0 {
                    return Ok(None);
                }
                self.block.truncate(frames as usize * channels);
            }
            self.position += frames;
            return Ok(Some(&self.block));
        }
    }

    /// Moves to `frame`: the next block starts exactly there.
    pub fn seek(&mut self, frame: u64) -> Result<(), AudioError> {
        let delay = self.delay;
        let target = frame + delay;
        let seeked = self
            .format
            .seek(SeekMode::Accurate, SeekTo::TimeStamp { ts: target, track_id: self.track })
            .map_err(|e| {
                AudioError::Unreadable(format!(
                    "cannot go to {} ms: {e}",
                    frame * 1000 / u64::from(self.info.sample_rate)
                ))
            })?;
        match &mut self.codec {
            Codec::Symphonia(decoder) => decoder.reset(),
            Codec::Opus(decoder) => decoder.reset(),
        }
        // An accurate seek lands at or before the frame asked for: decode and drop the rest.
        self.skip = target.saturating_sub(seeked.actual_ts);
        self.position = frame;
        Ok(())
    }

    /// Counts the frames by decoding to the end, for containers that do not
    /// say their length (some MP3s, Ogg), and goes back to the start.
    pub fn measure(&mut self) -> Result<u64, AudioError> {
        let mut frames = 0;
        while let Some(block) = self.next_block()? {
            frames += (block.len() / usize::from(self.info.channels.max(1))) as u64;
        }
        self.info.frames = frames;
        self.seek(0)?;
        Ok(frames)
    }
}
