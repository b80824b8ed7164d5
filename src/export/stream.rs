//! Sessions read and prepared on reader threads and handed to one writer in
//! their order, a few at a time, so that an export's memory stays that of a
//! few sessions however long the study grows.

use std::sync::mpsc;

/// How many threads read and prepare sessions: one per core (reading sled
/// and decoding is most of an export's work), at most eight.
pub fn readers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8)
}

/// At most this many sessions are prepared and not yet consumed at any time
/// with `readers` threads: one waiting in each reader's channel, one being
/// prepared by each reader, one in the writer's hands.
pub const fn most_in_flight(readers: usize) -> usize {
    2 * readers + 1
}

/// Calls `prepare` on each item on one of `readers` threads (item i on
/// thread i mod readers) and `consume` on what it made, in the items' order,
/// on the calling thread. The first error, from either, stops both and is
/// returned; a reader stops at its next hand-over once the writer has gone.
pub fn in_order<I, T, E>(
    items: &[I],
    readers: usize,
    prepare: impl Fn(&I) -> Result<T, E> + Sync,
    mut consume: impl FnMut(T) -> Result<(), E>,
) -> Result<(), E>
where
    I: Sync,
    T: Send,
    E: Send,
{
    let readers = readers.clamp(1, items.len().max(1));
    std::thread::scope(|scope| {
        let prepare = &prepare;
        let from: Vec<mpsc::Receiver<Result<T, E>>> = (0..readers)
            .map(|reader| {
                let (to, from) = mpsc::sync_channel(1);
                scope.spawn(move || {
                    for item in items.iter().skip(reader).step_by(readers) {
                        let made = prepare(item);
                        let failed = made.is_err();
                        // The receiver is gone only when the writer stopped: stop too.
                        if to.send(made).is_err() || failed {
                            break;
                        }
                    }
                });
                from
            })
            .collect();
        for i in 0..items.len() {
            let made = from[i % readers].recv().expect("a reading thread stopped early")?;
            consume(made)?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn items_come_in_order_and_never_more_than_a_few_at_once() {
        let items: Vec<usize> = (0..200).collect();
        for readers in [1, 2, 3, 8] {
            let (live, most) = (AtomicUsize::new(0), AtomicUsize::new(0));
            let mut seen = Vec::new();
            in_order(
                &items,
                readers,
                |i| {
                    let now = live.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    Ok::<_, ()>(*i)
                },
                |i| {
                    // A slow writer: the readers must wait for it, not pile up.
                    std::thread::yield_now();
                    seen.push(i);
                    live.fetch_sub(1, Ordering::SeqCst);
                    Ok(())
                },
            )
            .unwrap();
            assert_eq!(seen, items, "{readers} readers");
            let most = most.load(Ordering::SeqCst);
            assert!(most <= most_in_flight(readers), "{readers} readers: {most} at once");
        }
    }

    #[test]
    fn the_first_error_in_order_stops_the_export() {
        let items: Vec<usize> = (0..100).collect();
        let mut seen = Vec::new();
        let result = in_order(
            &items,
            2,
            |i| if *i == 41 || *i == 60 { Err(format!("item {i}")) } else { Ok(*i) },
            |i| {
                seen.push(i);
                if i == 50 {
                    Err("writer".to_string())
                } else {
                    Ok(())
                }
            },
        );
        assert_eq!(result, Err("item 41".to_string()));
        assert_eq!(seen, (0..41).collect::<Vec<_>>());
        let result = in_order(&items, 3, |i| Ok(*i), |i| if i == 7 { Err(i) } else { Ok(()) });
        assert_eq!(result, Err(7));
    }
}
