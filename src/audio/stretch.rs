//! Slower playback without a lower voice: waveform-similarity overlap-add
//! (WSOLA). Windows of 30 ms are read at the slower pace and laid at the
//! normal one, each shifted by up to 10 ms to where it best continues the
//! one before, so the pitch stays and the joins are not heard.

/// A time stretcher for interleaved frames at `speed` (0.5 is half as fast).
pub struct Stretch {
    channels: usize,
    speed: f64,
    window: Vec<f32>,
    hop: usize,
    tolerance: usize,
    /// Input not yet used up, interleaved.
    input: Vec<f32>,
    /// Where the next window is due in `input`, in frames.
    due: f64,
    /// Where the last window taken would naturally go on, in frames of `input`.
    natural: Option<usize>,
    /// The second half of the last window, to be added to the next one's first.
    tail: Vec<f32>,
}

impl Stretch {
    pub fn new(rate: u32, channels: u16, speed: f64) -> Stretch {
        let hop = (rate as usize * 15 / 1000).max(8);
        let length = hop * 2;
        // A periodic Hann window: two of them half a window apart add up to one.
        let window = (0..length)
            .map(|i| (0.5 - 0.5 * (std::f64::consts::TAU * i as f64 / length as f64).cos()) as f32)
            .collect();
        let channels = usize::from(channels.max(1));
        Stretch {
            channels,
            speed: speed.clamp(0.25, 1.0),
            window,
            hop,
            tolerance: rate as usize / 100,
            input: Vec::new(),
            due: 0.0,
            natural: None,
            tail: vec![0.0; hop * channels],
        }
    }

    pub fn speed(&self) -> f64 {
        self.speed
    }

    /// Frames taken in but not yet given out, at the input's pace.
    pub fn pending(&self) -> u64 {
        (self.input.len() / self.channels).saturating_sub(self.due as usize) as u64
    }

    /// Takes `samples` in and appends what can be given out to `out`.
    pub fn process(&mut self, samples: &[f32], out: &mut Vec<f32>) {
        if self.speed >= 1.0 {
            out.extend_from_slice(samples);
            return;
        }
        self.input.extend_from_slice(samples);
        let ch = self.channels;
        let length = self.window.len();
        loop {
            let due = self.due.round() as usize;
            let reach = due + self.tolerance + length;
            if reach * ch > self.input.len() {
                break;
            }
            let start = match self.natural {
                None => due,
                Some(natural) => self.best_start(due, natural),
            };
            for i in 0..self.hop {
                for c in 0..ch {
                    let s = self.input[(start + i) * ch + c] * self.window[i];
                    out.push(self.tail[i * ch + c] + s);
                }
            }
            for i in 0..self.hop {
                for c in 0..ch {
                    self.tail[i * ch + c] =
                        self.input[(start + self.hop + i) * ch + c] * self.window[self.hop + i];
                }
            }
            self.natural = Some(start + self.hop);
            self.due += self.hop as f64 * self.speed;
            // Forget input no window can reach any more.
            let keep_from = (self.due as usize).saturating_sub(self.tolerance).min(start + self.hop);
            if keep_from > 0 {
                self.input.drain(..keep_from * ch);
                self.due -= keep_from as f64;
                self.natural = self.natural.map(|n| n - keep_from);
            }
        }
    }

    /// The start within `tolerance` of `due` whose first half looks most like
    /// the natural continuation at `natural` (cross-correlation of the
    /// channels' sum, on every second frame).
    fn best_start(&self, due: usize, natural: usize) -> usize {
        let ch = self.channels;
        let mono = |frame: usize| -> f32 { self.input[frame * ch..frame * ch + ch].iter().sum() };
        let lowest = due.saturating_sub(self.tolerance);
        let mut best = (f32::MIN, due);
        let mut candidate = lowest;
        while candidate <= due + self.tolerance {
            let mut score = 0.0;
            let mut i = 0;
            while i < self.hop {
                score += mono(candidate + i) * mono(natural + i);
                i += 2;
            }
            if score > best.0 {
                best = (score, candidate);
            }
            candidate += 2;
        }
        best.1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(rate: u32, hz: f64, seconds: f64) -> Vec<f32> {
        (0..(f64::from(rate) * seconds) as usize)
            .map(|i| (std::f64::consts::TAU * hz * i as f64 / f64::from(rate)).sin() as f32 * 0.5)
            .collect()
    }

    /// Upward zero crossings per second: the tone's pitch.
    fn pitch(samples: &[f32], rate: u32) -> f64 {
        let crossings = samples.windows(2).filter(|w| w[0] < 0.0 && w[1] >= 0.0).count();
        crossings as f64 * f64::from(rate) / samples.len() as f64
    }

    #[test]
    fn half_speed_lasts_twice_as_long_at_the_same_pitch() {
        let rate = 16_000;
        let input = tone(rate, 440.0, 2.0);
        let mut stretch = Stretch::new(rate, 1, 0.5);
        let mut out = Vec::new();
        for block in input.chunks(1024) {
            stretch.process(block, &mut out);
        }
        let expected = input.len() as f64 * 2.0;
        assert!(
            (out.len() as f64 - expected).abs() < expected * 0.03,
            "{} frames out of {}",
            out.len(),
            input.len()
        );
        let heard = pitch(&out[2000..out.len() - 2000], rate);
        assert!((heard - 440.0).abs() < 6.0, "pitch {heard} Hz, not 440");
        // Resampling (the naive way) would have halved it.
    }

    #[test]
    fn three_quarter_speed_keeps_two_channels_apart() {
        let rate = 16_000;
        let left = tone(rate, 300.0, 1.0);
        let right = tone(rate, 700.0, 1.0);
        let input: Vec<f32> = left.iter().zip(&right).flat_map(|(l, r)| [*l, *r]).collect();
        let mut stretch = Stretch::new(rate, 2, 0.75);
        let mut out = Vec::new();
        stretch.process(&input, &mut out);
        let l: Vec<f32> = out.iter().step_by(2).copied().collect();
        let r: Vec<f32> = out.iter().skip(1).step_by(2).copied().collect();
        assert!((pitch(&l[1000..], rate) - 300.0).abs() < 8.0);
        assert!((pitch(&r[1000..], rate) - 700.0).abs() < 12.0);
        assert!((l.len() as f64 - 16_000.0 / 0.75).abs() < 16_000.0 * 0.06, "{} frames", l.len());
    }

    #[test]
    fn normal_speed_passes_samples_through() {
        let mut stretch = Stretch::new(8_000, 1, 1.0);
        let mut out = Vec::new();
        stretch.process(&[0.1, 0.2, 0.3], &mut out);
        assert_eq!(out, vec![0.1, 0.2, 0.3]);
    }
}
