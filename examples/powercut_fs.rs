//! powercut_fs: an in-memory FUSE filesystem that can lose power.
//!
//! It exists so tests can check fieldlog's promise — a line the screen
//! called "saved" survives a power cut — against what a disk really keeps,
//! which a killed process alone cannot show (after kill -9 the kernel still
//! has every write in its page cache).
//!
//! Every file has *live* content, what reads see, and *durable* content,
//! what a power cut leaves. Writes, truncates and fallocate change only the
//! live content; fsync and fdatasync of a file copy its live content to
//! durable. Directory entries are the same: create, mkdir, unlink, rmdir and
//! rename change the live namespace, and become durable when
//!
//! - the parent directory is fsynced (always), and
//! - in the default *ext4 model*, when any file or directory is fsynced
//!   (fdatasync: when the file's size changed): ext4 then commits its
//!   journal, which carries every earlier metadata operation (entries,
//!   modes, truncates) of the whole filesystem, though not the data of other
//!   files (delayed allocation). A file created and
//!   written but never fsynced therefore survives as an empty file, as on
//!   ext4. With `--strict-metadata` only fsyncdir makes entries durable,
//!   the least that POSIX promises.
//!
//! A power cut is triggered from outside by SIGUSR1 to this process: under
//! the state's lock, the live state is replaced by the durable state, and
//! inodes that no durable entry reaches are dropped (as ext4's orphan
//! cleanup does at the next mount). File handles opened before the cut are
//! stale: every operation on them but close answers EIO. Cuts are counted,
//! and each is reported on standard error as `powercut_fs: power cut N ...`,
//! which a test waits for.
//!
//! For cuts at an exact point, `sigqueue(pid, SIGUSR2, N)` *arms* the fs:
//! the N-th fsync or fsyncdir from then on does not happen — it and every
//! later request answer EIO, as if the machine had died just before it —
//! and `powercut_fs: frozen before fsync N of PATH` is printed. The durable
//! state then stays as it was until the SIGUSR1 that cuts the power. Since
//! only fsyncs change the durable state, arming every N in turn reaches
//! every state a power cut could leave.
//!
//! Usage: `powercut_fs [--strict-metadata] MOUNTPOINT`. Runs in the
//! foreground until unmounted (`fusermount3 -u MOUNTPOINT`) or sent SIGTERM
//! or SIGINT (it then unmounts itself). The mount asks fusermount3 to
//! unmount it if this process dies (auto_unmount), where that is allowed.
//!
//! Everything is answered with zero cache lifetimes and direct I/O, so the
//! kernel keeps no stale entry, size or page from before a cut.
//!
//! Not modelled: the kernel's background writeback (a real machine writes
//! unsynced data out within about 30 s, and may write any part of it before
//! a cut; here unsynced data is never durable, and never partly so), failing
//! writes or fsyncs, and a full disk.

use fuser::{
    AccessFlags, Config, Errno, FileAttr, FileHandle, FileType, Filesystem, FopenFlags, Generation, INodeNo,
    LockOwner, MountOption, OpenFlags, RenameFlags, ReplyAttr, ReplyCreate, ReplyData, ReplyDirectory,
    ReplyEmpty, ReplyEntry, ReplyOpen, ReplyStatfs, ReplyWrite, Request, SessionACL, TimeOrNow, WriteFlags,
};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::ffi::{OsStr, OsString};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

/// Nothing is cached by the kernel: after a cut, every lookup and size must
/// come from the reverted state.
const TTL: Duration = Duration::ZERO;
const ROOT: u64 = 1;
/// What statfs reports: a 4 GiB disk of 4 KiB blocks.
const BLOCK: u64 = 4096;
const BLOCKS: u64 = 1 << 20;

#[derive(Clone, Debug)]
enum Body {
    File(Vec<u8>),
    /// Entries by name; a directory's parent is kept for "..".
    Dir {
        entries: BTreeMap<OsString, u64>,
        parent: u64,
    },
}

#[derive(Clone, Debug)]
struct Inode {
    body: Body,
    perm: u16,
    uid: u32,
    gid: u32,
    /// Names that refer to a file (1, or more after a half-durable rename).
    nlink: u32,
    atime: SystemTime,
    mtime: SystemTime,
    ctime: SystemTime,
}

impl Inode {
    fn kind(&self) -> FileType {
        match self.body {
            Body::File(_) => FileType::RegularFile,
            Body::Dir { .. } => FileType::Directory,
        }
    }

    /// The same inode as its creation left it on disk: attributes, no data.
    fn empty_copy(&self) -> Inode {
        let body = match &self.body {
            Body::File(_) => Body::File(Vec::new()),
            Body::Dir { parent, .. } => Body::Dir { entries: BTreeMap::new(), parent: *parent },
        };
        Inode { body, ..self.clone() }
    }

    /// Copies attributes (not data or entries) from `other`.
    fn take_attrs(&mut self, other: &Inode) {
        self.perm = other.perm;
        self.uid = other.uid;
        self.gid = other.gid;
        self.atime = other.atime;
        self.mtime = other.mtime;
        self.ctime = other.ctime;
    }

    fn entries(&self) -> Option<&BTreeMap<OsString, u64>> {
        match &self.body {
            Body::Dir { entries, .. } => Some(entries),
            Body::File(_) => None,
        }
    }

    fn entries_mut(&mut self) -> Option<&mut BTreeMap<OsString, u64>> {
        match &mut self.body {
            Body::Dir { entries, .. } => Some(entries),
            Body::File(_) => None,
        }
    }

    fn data(&self) -> Option<&Vec<u8>> {
        match &self.body {
            Body::File(data) => Some(data),
            Body::Dir { .. } => None,
        }
    }

    fn data_mut(&mut self) -> Option<&mut Vec<u8>> {
        match &mut self.body {
            Body::File(data) => Some(data),
            Body::Dir { .. } => None,
        }
    }
}

type Inodes = HashMap<u64, Inode>;

struct Handle {
    ino: u64,
    /// The cut count when it was opened: a handle from before a cut is stale.
    epoch: u64,
    append: bool,
    /// A directory's listing, taken at opendir so reads of it are consistent.
    listing: Vec<(u64, FileType, OsString)>,
}

/// Size changes by truncate or fallocate since the last commit of a file:
/// metadata, so ext4 commits them with its journal (the smallest size the
/// file went down to cuts the durable data, then the last size sets it).
#[derive(Clone, Copy)]
struct SizeChange {
    smallest: u64,
    last: u64,
}

struct State {
    live: Inodes,
    durable: Inodes,
    /// ext4 model only: truncates not yet carried by a journal commit.
    sizes: HashMap<u64, SizeChange>,
    /// Never reused, even across cuts, so the kernel cannot mix up a file
    /// lost in a cut with a new one.
    next_ino: u64,
    handles: HashMap<u64, Handle>,
    next_fh: u64,
    cuts: u64,
    strict: bool,
    /// Armed by SIGUSR2: fsyncs to let through before freezing.
    freeze_countdown: Option<u64>,
    fsyncs_since_armed: u64,
    /// Between a freeze and the cut, nothing happens.
    frozen: bool,
}

type Result<T> = std::result::Result<T, Errno>;

impl State {
    fn new(strict: bool, uid: u32, gid: u32) -> State {
        let now = SystemTime::now();
        let root = Inode {
            body: Body::Dir { entries: BTreeMap::new(), parent: ROOT },
            perm: 0o755,
            uid,
            gid,
            nlink: 2,
            atime: now,
            mtime: now,
            ctime: now,
        };
        let live = HashMap::from([(ROOT, root)]);
        State {
            durable: live.clone(),
            live,
            sizes: HashMap::new(),
            next_ino: ROOT + 1,
            handles: HashMap::new(),
            next_fh: 1,
            cuts: 0,
            strict,
            freeze_countdown: None,
            fsyncs_since_armed: 0,
            frozen: false,
        }
    }

    fn node(&self, ino: u64) -> Result<&Inode> {
        self.live.get(&ino).ok_or(Errno::ENOENT)
    }

    fn node_mut(&mut self, ino: u64) -> Result<&mut Inode> {
        self.live.get_mut(&ino).ok_or(Errno::ENOENT)
    }

    fn attr(&self, ino: u64) -> Result<FileAttr> {
        let node = self.node(ino)?;
        let (size, nlink) = match &node.body {
            Body::File(data) => (data.len() as u64, node.nlink),
            Body::Dir { entries, .. } => {
                let subdirs =
                    entries.values().filter(|c| self.live.get(c).is_some_and(|n| n.entries().is_some()));
                (BLOCK, 2 + subdirs.count() as u32)
            }
        };
        Ok(FileAttr {
            ino: INodeNo(ino),
            size,
            blocks: size.div_ceil(512),
            atime: node.atime,
            mtime: node.mtime,
            ctime: node.ctime,
            crtime: node.ctime,
            kind: node.kind(),
            perm: node.perm,
            nlink,
            uid: node.uid,
            gid: node.gid,
            rdev: 0,
            blksize: BLOCK as u32,
            flags: 0,
        })
    }

    fn child(&self, parent: u64, name: &OsStr) -> Result<u64> {
        let entries = self.node(parent)?.entries().ok_or(Errno::ENOTDIR)?;
        entries.get(name).copied().ok_or(Errno::ENOENT)
    }

    /// A handle that is still valid: not from before a cut.
    fn handle(&self, fh: FileHandle) -> Result<&Handle> {
        match self.handles.get(&fh.0) {
            Some(h) if h.epoch == self.cuts => Ok(h),
            Some(_) => Err(Errno::EIO),
            None => Err(Errno::EBADF),
        }
    }

    fn open_handle(&mut self, ino: u64, append: bool, listing: Vec<(u64, FileType, OsString)>) -> u64 {
        let fh = self.next_fh;
        self.next_fh += 1;
        self.handles.insert(fh, Handle { ino, epoch: self.cuts, append, listing });
        fh
    }

    /// Adds a new inode under `parent`; the caller has checked the name is free.
    fn add(&mut self, req: &Request, parent: u64, name: &OsStr, body: Body, perm: u16) -> Result<u64> {
        let now = SystemTime::now();
        let ino = self.next_ino;
        self.next_ino += 1;
        let node = Inode {
            body,
            perm,
            uid: req.uid(),
            gid: req.gid(),
            nlink: 1,
            atime: now,
            mtime: now,
            ctime: now,
        };
        self.live.insert(ino, node);
        let dir = self.node_mut(parent)?;
        dir.entries_mut().ok_or(Errno::ENOTDIR)?.insert(name.to_os_string(), ino);
        dir.mtime = now;
        dir.ctime = now;
        Ok(ino)
    }

    fn check_new_name(&self, parent: u64, name: &OsStr) -> Result<()> {
        match self.child(parent, name) {
            Ok(_) => Err(Errno::EEXIST),
            Err(e) if e == Errno::ENOENT => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Drops one name of `ino`; the inode goes once no name and no handle is left.
    fn drop_link(&mut self, ino: u64) {
        let Some(node) = self.live.get_mut(&ino) else { return };
        node.nlink = node.nlink.saturating_sub(1);
        node.ctime = SystemTime::now();
        if node.nlink == 0 && !self.handles.values().any(|h| h.ino == ino) {
            self.live.remove(&ino);
        }
    }

    fn remove(&mut self, parent: u64, name: &OsStr, dir: bool) -> Result<()> {
        let ino = self.child(parent, name)?;
        let node = self.node(ino)?;
        match (node.entries(), dir) {
            (Some(_), false) => return Err(Errno::EISDIR),
            (None, true) => return Err(Errno::ENOTDIR),
            (Some(entries), true) if !entries.is_empty() => return Err(Errno::ENOTEMPTY),
            _ => {}
        }
        let now = SystemTime::now();
        let parent_node = self.node_mut(parent)?;
        parent_node.entries_mut().ok_or(Errno::ENOTDIR)?.remove(name);
        parent_node.mtime = now;
        parent_node.ctime = now;
        self.drop_link(ino);
        Ok(())
    }

    /// Whether `ino` is `ancestor` or lies below it.
    fn is_within(&self, mut ino: u64, ancestor: u64) -> bool {
        loop {
            if ino == ancestor {
                return true;
            }
            match self.live.get(&ino).map(|n| &n.body) {
                Some(Body::Dir { parent, .. }) if *parent != ino => ino = *parent,
                _ => return false,
            }
        }
    }

    fn rename(
        &mut self,
        parent: u64,
        name: &OsStr,
        new_parent: u64,
        new_name: &OsStr,
        flags: RenameFlags,
    ) -> Result<()> {
        let ino = self.child(parent, name)?;
        let target = match self.child(new_parent, new_name) {
            Ok(t) => Some(t),
            Err(e) if e == Errno::ENOENT => None,
            Err(e) => return Err(e),
        };
        if flags.contains(RenameFlags::RENAME_NOREPLACE) && target.is_some() {
            return Err(Errno::EEXIST);
        }
        let moving_dir = self.node(ino)?.entries().is_some();
        if moving_dir && self.is_within(new_parent, ino) {
            return Err(Errno::EINVAL);
        }
        let now = SystemTime::now();
        if flags.contains(RenameFlags::RENAME_EXCHANGE) {
            let target = target.ok_or(Errno::ENOENT)?;
            if self.node(target)?.entries().is_some() && self.is_within(parent, target) {
                return Err(Errno::EINVAL);
            }
            self.set_entry(parent, name, target, now)?;
            self.set_entry(new_parent, new_name, ino, now)?;
            self.set_parent(target, parent);
            self.set_parent(ino, new_parent);
            return Ok(());
        }
        if let Some(target) = target {
            if target == ino {
                return Ok(());
            }
            match (moving_dir, self.node(target)?.entries()) {
                (true, None) => return Err(Errno::ENOTDIR),
                (false, Some(_)) => return Err(Errno::EISDIR),
                (true, Some(entries)) if !entries.is_empty() => return Err(Errno::ENOTEMPTY),
                _ => {}
            }
        }
        let old_dir = self.node_mut(parent)?;
        old_dir.entries_mut().ok_or(Errno::ENOTDIR)?.remove(name);
        old_dir.mtime = now;
        old_dir.ctime = now;
        self.set_entry(new_parent, new_name, ino, now)?;
        self.set_parent(ino, new_parent);
        if let Some(target) = target {
            self.drop_link(target);
        }
        Ok(())
    }

    fn set_entry(&mut self, dir: u64, name: &OsStr, ino: u64, now: SystemTime) -> Result<()> {
        let dir = self.node_mut(dir)?;
        dir.entries_mut().ok_or(Errno::ENOTDIR)?.insert(name.to_os_string(), ino);
        dir.mtime = now;
        dir.ctime = now;
        Ok(())
    }

    fn set_parent(&mut self, ino: u64, new_parent: u64) {
        if let Some(Inode { body: Body::Dir { parent, .. }, ctime, .. }) = self.live.get_mut(&ino) {
            *parent = new_parent;
            *ctime = SystemTime::now();
        }
    }

    /// Records a size change by truncate or fallocate, for the ext4 model.
    fn note_size(&mut self, ino: u64, new_size: u64) {
        let change = self.sizes.entry(ino).or_insert(SizeChange { smallest: new_size, last: new_size });
        change.smallest = change.smallest.min(new_size);
        change.last = new_size;
    }

    /// ext4's journal commit: every metadata change of the whole filesystem
    /// so far becomes durable (entries, attributes, truncates), but no other
    /// file's data.
    fn commit_metadata(&mut self) {
        for (ino, node) in &self.live {
            let durable = self.durable.entry(*ino).or_insert_with(|| node.empty_copy());
            durable.take_attrs(node);
            if let (Body::Dir { entries, parent }, Body::Dir { entries: e, parent: p }) =
                (&node.body, &mut durable.body)
            {
                e.clone_from(entries);
                *p = *parent;
            }
        }
        for (ino, change) in self.sizes.drain() {
            if let Some(data) = self.durable.get_mut(&ino).and_then(Inode::data_mut) {
                data.truncate(change.smallest as usize);
                data.resize(change.last as usize, 0);
            }
        }
        self.collect_durable_garbage();
    }

    /// fsync of a file: its data and attributes become durable, and in the
    /// ext4 model all metadata with them. ext4's fdatasync commits the
    /// journal only when the file's size changed (or its blocks were
    /// allocated, which this model does not track): an overwrite in place
    /// carries no other metadata along.
    fn sync_file(&mut self, ino: u64, datasync: bool) -> Result<()> {
        let live_len = self.node(ino)?.data().map(Vec::len);
        let durable_len = self.durable.get(&ino).and_then(Inode::data).map(Vec::len);
        let size_changed = live_len != durable_len || self.sizes.contains_key(&ino);
        if !self.strict && (!datasync || size_changed) {
            self.commit_metadata();
        }
        let node = self.node(ino)?.clone();
        self.sizes.remove(&ino);
        self.durable.insert(ino, node);
        self.collect_durable_garbage();
        Ok(())
    }

    /// fsyncdir: the directory's entries become durable. An entry makes its
    /// inode exist on disk, as created (its data needs its own fsync).
    fn sync_dir(&mut self, ino: u64) -> Result<()> {
        if !self.strict {
            self.commit_metadata();
            return Ok(());
        }
        let node = self.node(ino)?.clone();
        for child in node.entries().ok_or(Errno::ENOTDIR)?.values() {
            if !self.durable.contains_key(child) {
                let copy = self.live.get(child).map(Inode::empty_copy).ok_or(Errno::EIO)?;
                self.durable.insert(*child, copy);
            }
        }
        let durable = self.durable.entry(ino).or_insert_with(|| node.empty_copy());
        durable.take_attrs(&node);
        durable.body = match node.body {
            Body::Dir { entries, parent } => Body::Dir { entries, parent },
            Body::File(_) => return Err(Errno::ENOTDIR),
        };
        self.collect_durable_garbage();
        Ok(())
    }

    /// Durable inodes that no durable name reaches and that are gone from
    /// the live state too can never come back.
    fn collect_durable_garbage(&mut self) {
        let reachable = reachable(&self.durable);
        let live = &self.live;
        self.durable.retain(|ino, _| reachable.contains(ino) || live.contains_key(ino));
    }

    /// The power cut: what is durable is all there is.
    fn power_cut(&mut self) -> String {
        let lost_entries = self.live.len() as i64;
        let lost_bytes: usize = self.live.values().filter_map(Inode::data).map(Vec::len).sum();
        self.live = self.durable.clone();
        // Orphans (durable data whose name never was) go, like ext4's orphan cleanup.
        let reachable = reachable(&self.live);
        self.live.retain(|ino, _| reachable.contains(ino));
        fix_links(&mut self.live);
        self.durable = self.live.clone();
        self.sizes.clear();
        self.frozen = false;
        self.freeze_countdown = None;
        self.cuts += 1;
        let bytes: usize = self.live.values().filter_map(Inode::data).map(Vec::len).sum();
        format!(
            "power cut {}: {} inodes and {bytes} bytes of data survive ({} inodes and {} bytes were live)",
            self.cuts,
            self.live.len(),
            lost_entries,
            lost_bytes
        )
    }

    /// Counts an fsync for an armed freeze; true when this one must not happen.
    fn freezes_now(&mut self, ino: u64) -> bool {
        let Some(left) = self.freeze_countdown else { return false };
        self.fsyncs_since_armed += 1;
        if left > 1 {
            self.freeze_countdown = Some(left - 1);
            return false;
        }
        self.freeze_countdown = None;
        self.frozen = true;
        eprintln!(
            "powercut_fs: frozen before fsync {} of {}",
            self.fsyncs_since_armed,
            path_of(&self.live, ino).display()
        );
        true
    }

    fn arm(&mut self, fsyncs: u64) {
        self.freeze_countdown = Some(fsyncs.max(1));
        self.fsyncs_since_armed = 0;
        eprintln!("powercut_fs: armed: freezing before fsync {}", fsyncs.max(1));
    }
}

/// The inodes reachable from the root through entries.
fn reachable(inodes: &Inodes) -> HashSet<u64> {
    let mut seen = HashSet::from([ROOT]);
    let mut todo = vec![ROOT];
    while let Some(ino) = todo.pop() {
        for child in inodes.get(&ino).and_then(Inode::entries).into_iter().flat_map(|e| e.values()) {
            if inodes.contains_key(child) && seen.insert(*child) {
                todo.push(*child);
            }
        }
    }
    seen
}

/// After a cut, link counts and parents are recounted from the entries that
/// survived (a rename made durable in one directory only leaves two names).
fn fix_links(inodes: &mut Inodes) {
    let mut links: HashMap<u64, (u32, u64)> = HashMap::new();
    for (ino, node) in inodes.iter() {
        for child in node.entries().into_iter().flat_map(|e| e.values()) {
            let entry = links.entry(*child).or_insert((0, *ino));
            entry.0 += 1;
        }
    }
    for (ino, node) in inodes.iter_mut() {
        let (count, first_parent) = links.get(ino).copied().unwrap_or((0, *ino));
        node.nlink = count.max(1);
        if let Body::Dir { parent, .. } = &mut node.body {
            if *ino != ROOT {
                *parent = first_parent;
            }
        }
    }
}

/// A path for messages: the first name found for `ino`.
fn path_of(inodes: &Inodes, ino: u64) -> PathBuf {
    let mut parts = Vec::new();
    let mut at = ino;
    while at != ROOT {
        let found = inodes.iter().find_map(|(dir, node)| {
            node.entries()?.iter().find(|(_, c)| **c == at).map(|(name, _)| (*dir, name.clone()))
        });
        match found {
            Some((dir, name)) => {
                parts.push(name);
                at = dir;
            }
            None => {
                parts.push(OsString::from(format!("<inode {ino}>")));
                break;
            }
        }
    }
    let mut path = PathBuf::from("/");
    path.extend(parts.iter().rev());
    path
}

/// The filesystem as FUSE sees it: one state behind a lock, shared with the
/// signal thread that cuts the power.
struct PowerCutFs {
    state: Arc<Mutex<State>>,
}

impl PowerCutFs {
    /// The state, or EIO while frozen between a freeze and the cut.
    fn state(&self) -> Result<MutexGuard<'_, State>> {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if state.frozen {
            return Err(Errno::EIO);
        }
        Ok(state)
    }
}

fn time(t: TimeOrNow) -> SystemTime {
    match t {
        TimeOrNow::SpecificTime(t) => t,
        TimeOrNow::Now => SystemTime::now(),
    }
}

/// Mode bits as stored: permissions only, the umask applied.
fn perm(mode: u32, umask: u32) -> u16 {
    (mode & !umask & 0o7777) as u16
}

impl Filesystem for PowerCutFs {
    fn lookup(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEntry) {
        let result = self.state().and_then(|s| s.attr(s.child(parent.0, name)?));
        match result {
            Ok(attr) => reply.entry(&TTL, &attr, Generation(0)),
            Err(e) => reply.error(e),
        }
    }

    fn getattr(&self, _req: &Request, ino: INodeNo, _fh: Option<FileHandle>, reply: ReplyAttr) {
        match self.state().and_then(|s| s.attr(ino.0)) {
            Ok(attr) => reply.attr(&TTL, &attr),
            Err(e) => reply.error(e),
        }
    }

    fn setattr(
        &self,
        _req: &Request,
        ino: INodeNo,
        mode: Option<u32>,
        uid: Option<u32>,
        gid: Option<u32>,
        size: Option<u64>,
        atime: Option<TimeOrNow>,
        mtime: Option<TimeOrNow>,
        _ctime: Option<SystemTime>,
        fh: Option<FileHandle>,
        _crtime: Option<SystemTime>,
        _chgtime: Option<SystemTime>,
        _bkuptime: Option<SystemTime>,
        _flags: Option<fuser::BsdFileFlags>,
        reply: ReplyAttr,
    ) {
        let result = (|| {
            let mut s = self.state()?;
            if let Some(fh) = fh {
                s.handle(fh)?;
            }
            if let Some(size) = size {
                let data = s.node_mut(ino.0)?.data_mut().ok_or(Errno::EISDIR)?;
                data.resize(size as usize, 0);
                s.note_size(ino.0, size);
            }
            let now = SystemTime::now();
            let node = s.node_mut(ino.0)?;
            if let Some(mode) = mode {
                node.perm = (mode & 0o7777) as u16;
            }
            if let Some(uid) = uid {
                node.uid = uid;
            }
            if let Some(gid) = gid {
                node.gid = gid;
            }
            if let Some(atime) = atime {
                node.atime = time(atime);
            }
            match (mtime, size) {
                (Some(mtime), _) => node.mtime = time(mtime),
                (None, Some(_)) => node.mtime = now,
                (None, None) => {}
            }
            node.ctime = now;
            s.attr(ino.0)
        })();
        match result {
            Ok(attr) => reply.attr(&TTL, &attr),
            Err(e) => reply.error(e),
        }
    }

    fn mkdir(&self, req: &Request, parent: INodeNo, name: &OsStr, mode: u32, umask: u32, reply: ReplyEntry) {
        let result = self.state().and_then(|mut s| {
            s.check_new_name(parent.0, name)?;
            let body = Body::Dir { entries: BTreeMap::new(), parent: parent.0 };
            let ino = s.add(req, parent.0, name, body, perm(mode, umask))?;
            s.attr(ino)
        });
        match result {
            Ok(attr) => reply.entry(&TTL, &attr, Generation(0)),
            Err(e) => reply.error(e),
        }
    }

    fn unlink(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEmpty) {
        match self.state().and_then(|mut s| s.remove(parent.0, name, false)) {
            Ok(()) => reply.ok(),
            Err(e) => reply.error(e),
        }
    }

    fn rmdir(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEmpty) {
        match self.state().and_then(|mut s| s.remove(parent.0, name, true)) {
            Ok(()) => reply.ok(),
            Err(e) => reply.error(e),
        }
    }

    fn rename(
        &self,
        _req: &Request,
        parent: INodeNo,
        name: &OsStr,
        newparent: INodeNo,
        newname: &OsStr,
        flags: RenameFlags,
        reply: ReplyEmpty,
    ) {
        match self.state().and_then(|mut s| s.rename(parent.0, name, newparent.0, newname, flags)) {
            Ok(()) => reply.ok(),
            Err(e) => reply.error(e),
        }
    }

    fn open(&self, _req: &Request, ino: INodeNo, flags: OpenFlags, reply: ReplyOpen) {
        let result = self.state().and_then(|mut s| {
            if s.node(ino.0)?.data().is_none() {
                return Err(Errno::EISDIR);
            }
            Ok(s.open_handle(ino.0, flags.0 & libc::O_APPEND != 0, Vec::new()))
        });
        match result {
            // Direct I/O: no page of a file outlives a cut in the kernel's cache.
            Ok(fh) => reply.opened(FileHandle(fh), FopenFlags::FOPEN_DIRECT_IO),
            Err(e) => reply.error(e),
        }
    }

    fn create(
        &self,
        req: &Request,
        parent: INodeNo,
        name: &OsStr,
        mode: u32,
        umask: u32,
        flags: i32,
        reply: ReplyCreate,
    ) {
        let result = self.state().and_then(|mut s| {
            s.check_new_name(parent.0, name)?;
            let ino = s.add(req, parent.0, name, Body::File(Vec::new()), perm(mode, umask))?;
            let fh = s.open_handle(ino, flags & libc::O_APPEND != 0, Vec::new());
            Ok((s.attr(ino)?, fh))
        });
        match result {
            Ok((attr, fh)) => {
                reply.created(&TTL, &attr, Generation(0), FileHandle(fh), FopenFlags::FOPEN_DIRECT_IO)
            }
            Err(e) => reply.error(e),
        }
    }

    fn read(
        &self,
        _req: &Request,
        ino: INodeNo,
        fh: FileHandle,
        offset: u64,
        size: u32,
        _flags: OpenFlags,
        _lock_owner: Option<LockOwner>,
        reply: ReplyData,
    ) {
        let result = self.state().and_then(|s| {
            s.handle(fh)?;
            let data = s.node(ino.0)?.data().ok_or(Errno::EISDIR)?;
            let start = (offset as usize).min(data.len());
            let end = start.saturating_add(size as usize).min(data.len());
            Ok(data[start..end].to_vec())
        });
        match result {
            Ok(bytes) => reply.data(&bytes),
            Err(e) => reply.error(e),
        }
    }

    fn write(
        &self,
        _req: &Request,
        ino: INodeNo,
        fh: FileHandle,
        offset: u64,
        bytes: &[u8],
        _write_flags: WriteFlags,
        _flags: OpenFlags,
        _lock_owner: Option<LockOwner>,
        reply: ReplyWrite,
    ) {
        let result = self.state().and_then(|mut s| {
            let append = s.handle(fh)?.append;
            let node = s.node_mut(ino.0)?;
            let data = node.data_mut().ok_or(Errno::EISDIR)?;
            // O_APPEND writes land at the end this fs knows, whatever the kernel thought.
            let at = if append { data.len() } else { offset as usize };
            if data.len() < at + bytes.len() {
                data.resize(at + bytes.len(), 0);
            }
            data[at..at + bytes.len()].copy_from_slice(bytes);
            let now = SystemTime::now();
            node.mtime = now;
            node.ctime = now;
            Ok(bytes.len() as u32)
        });
        match result {
            Ok(n) => reply.written(n),
            Err(e) => reply.error(e),
        }
    }

    fn flush(
        &self,
        _req: &Request,
        _ino: INodeNo,
        _fh: FileHandle,
        _lock_owner: LockOwner,
        reply: ReplyEmpty,
    ) {
        // close(2) writes nothing back here: every write already reached the state.
        reply.ok();
    }

    fn release(
        &self,
        _req: &Request,
        ino: INodeNo,
        fh: FileHandle,
        _flags: OpenFlags,
        _lock_owner: Option<LockOwner>,
        _flush: bool,
        reply: ReplyEmpty,
    ) {
        // Closing always works, frozen or not, stale or not.
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        s.handles.remove(&fh.0);
        let unlinked = s.live.get(&ino.0).is_some_and(|n| n.nlink == 0);
        if unlinked && !s.handles.values().any(|h| h.ino == ino.0) {
            s.live.remove(&ino.0);
        }
        reply.ok();
    }

    fn fsync(&self, _req: &Request, ino: INodeNo, fh: FileHandle, datasync: bool, reply: ReplyEmpty) {
        let result = self.state().and_then(|mut s| {
            s.handle(fh)?;
            if s.freezes_now(ino.0) {
                return Err(Errno::EIO);
            }
            s.sync_file(ino.0, datasync)
        });
        match result {
            Ok(()) => reply.ok(),
            Err(e) => reply.error(e),
        }
    }

    fn opendir(&self, _req: &Request, ino: INodeNo, _flags: OpenFlags, reply: ReplyOpen) {
        let result = self.state().and_then(|mut s| {
            let node = s.node(ino.0)?;
            let Body::Dir { entries, parent } = &node.body else { return Err(Errno::ENOTDIR) };
            let mut listing =
                vec![(ino.0, FileType::Directory, ".".into()), (*parent, FileType::Directory, "..".into())];
            for (name, child) in entries {
                let kind = s.node(*child).map(Inode::kind).unwrap_or(FileType::RegularFile);
                listing.push((*child, kind, name.clone()));
            }
            Ok(s.open_handle(ino.0, false, listing))
        });
        match result {
            Ok(fh) => reply.opened(FileHandle(fh), FopenFlags::empty()),
            Err(e) => reply.error(e),
        }
    }

    fn readdir(&self, _req: &Request, _ino: INodeNo, fh: FileHandle, offset: u64, mut reply: ReplyDirectory) {
        let state = match self.state() {
            Ok(s) => s,
            Err(e) => return reply.error(e),
        };
        let handle = match state.handle(fh) {
            Ok(h) => h,
            Err(e) => return reply.error(e),
        };
        for (i, (ino, kind, name)) in handle.listing.iter().enumerate().skip(offset as usize) {
            if reply.add(INodeNo(*ino), i as u64 + 1, *kind, name) {
                break;
            }
        }
        reply.ok();
    }

    fn releasedir(
        &self,
        _req: &Request,
        _ino: INodeNo,
        fh: FileHandle,
        _flags: OpenFlags,
        reply: ReplyEmpty,
    ) {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).handles.remove(&fh.0);
        reply.ok();
    }

    fn fsyncdir(&self, _req: &Request, ino: INodeNo, fh: FileHandle, _datasync: bool, reply: ReplyEmpty) {
        let result = self.state().and_then(|mut s| {
            s.handle(fh)?;
            if s.freezes_now(ino.0) {
                return Err(Errno::EIO);
            }
            s.sync_dir(ino.0)
        });
        match result {
            Ok(()) => reply.ok(),
            Err(e) => reply.error(e),
        }
    }

    fn statfs(&self, _req: &Request, _ino: INodeNo, reply: ReplyStatfs) {
        match self.state() {
            Ok(s) => {
                let used: u64 =
                    s.live.values().filter_map(Inode::data).map(|d| (d.len() as u64).div_ceil(BLOCK)).sum();
                let free = BLOCKS.saturating_sub(used);
                reply.statfs(
                    BLOCKS,
                    free,
                    free,
                    1 << 20,
                    (1 << 20) - s.live.len() as u64,
                    BLOCK as u32,
                    255,
                    BLOCK as u32,
                )
            }
            Err(e) => reply.error(e),
        }
    }

    /// Mode bits are checked by the kernel (default_permissions); access(2)
    /// gets the same answer here, root passing all but a missing execute bit.
    fn access(&self, req: &Request, ino: INodeNo, mask: AccessFlags, reply: ReplyEmpty) {
        let result = self.state().and_then(|s| {
            let node = s.node(ino.0)?;
            let wanted = mask.bits() as u16 & 0o7;
            let granted = if req.uid() == 0 {
                let any_x = node.perm & 0o111 != 0 || node.entries().is_some();
                0o6 | if any_x { 0o1 } else { 0 }
            } else if req.uid() == node.uid {
                (node.perm >> 6) & 0o7
            } else if req.gid() == node.gid {
                (node.perm >> 3) & 0o7
            } else {
                node.perm & 0o7
            };
            if wanted & !granted == 0 {
                Ok(())
            } else {
                Err(Errno::EACCES)
            }
        });
        match result {
            Ok(()) => reply.ok(),
            Err(e) => reply.error(e),
        }
    }

    fn fallocate(
        &self,
        _req: &Request,
        ino: INodeNo,
        fh: FileHandle,
        offset: u64,
        length: u64,
        mode: i32,
        reply: ReplyEmpty,
    ) {
        let result = self.state().and_then(|mut s| {
            s.handle(fh)?;
            let data = s.node_mut(ino.0)?.data_mut().ok_or(Errno::EISDIR)?;
            let end = (offset + length) as usize;
            match mode {
                // Allocating extends the size; it is metadata, like a truncate.
                0 => {
                    if data.len() < end {
                        data.resize(end, 0);
                        let size = data.len() as u64;
                        s.note_size(ino.0, size);
                    }
                    Ok(())
                }
                libc::FALLOC_FL_KEEP_SIZE => Ok(()),
                m if m == libc::FALLOC_FL_PUNCH_HOLE | libc::FALLOC_FL_KEEP_SIZE => {
                    let end = end.min(data.len());
                    let start = (offset as usize).min(end);
                    data[start..end].fill(0);
                    Ok(())
                }
                _ => Err(Errno::EOPNOTSUPP),
            }
        });
        match result {
            Ok(()) => reply.ok(),
            Err(e) => reply.error(e),
        }
    }
}

fn usage() -> ! {
    eprintln!("usage: powercut_fs [--strict-metadata] MOUNTPOINT");
    std::process::exit(2);
}

/// The signals this process handles itself, on the main thread with
/// sigtimedwait: blocked everywhere (FUSE threads inherit the mask).
fn handled_signals() -> libc::sigset_t {
    // SAFETY: sigset_t is plain data, initialised by sigemptyset before use.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for signal in [libc::SIGUSR1, libc::SIGUSR2, libc::SIGTERM, libc::SIGINT, libc::SIGHUP] {
            libc::sigaddset(&mut set, signal);
        }
        set
    }
}

fn main() {
    let mut strict = false;
    let mut mountpoint = None;
    for arg in std::env::args_os().skip(1) {
        match arg.to_str() {
            Some("--strict-metadata") => strict = true,
            Some("-h" | "--help") => usage(),
            Some(a) if a.starts_with('-') => usage(),
            _ if mountpoint.is_none() => mountpoint = Some(PathBuf::from(arg)),
            _ => usage(),
        }
    }
    let Some(mountpoint) = mountpoint else { usage() };

    let signals = handled_signals();
    // SAFETY: blocking signals in this thread before any other thread exists.
    unsafe { libc::pthread_sigmask(libc::SIG_BLOCK, &signals, std::ptr::null_mut()) };

    // SAFETY: getuid and getgid cannot fail.
    let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
    let state = Arc::new(Mutex::new(State::new(strict, uid, gid)));
    let mount = |auto_unmount: bool| {
        let mut config = Config::default();
        config.mount_options = vec![
            MountOption::FSName("powercut_fs".into()),
            MountOption::Subtype("powercut_fs".into()),
            MountOption::DefaultPermissions,
        ];
        if auto_unmount {
            // fusermount3 unmounts once this process dies; it needs allow_root.
            config.mount_options.push(MountOption::AutoUnmount);
            config.acl = SessionACL::RootAndOwner;
        }
        fuser::spawn_mount(PowerCutFs { state: state.clone() }, &mountpoint, &config)
    };
    let session = match mount(true) {
        Ok(session) => session,
        Err(auto_error) => match mount(false) {
            Ok(session) => {
                eprintln!("powercut_fs: mounted without auto_unmount ({auto_error})");
                session
            }
            Err(e) => {
                eprintln!("powercut_fs: cannot mount {}: {e}", mountpoint.display());
                std::process::exit(1);
            }
        },
    };
    let model = if strict { "strict metadata: only fsyncdir" } else { "ext4: any fsync commits metadata" };
    eprintln!("powercut_fs: mounted {} ({model})", mountpoint.display());

    let timeout = libc::timespec { tv_sec: 0, tv_nsec: 200_000_000 };
    loop {
        if session.guard.is_finished() {
            // Unmounted from outside (fusermount3 -u): the session has ended.
            break;
        }
        // SAFETY: siginfo_t is plain data that sigtimedwait fills in.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        // SAFETY: the set and timeout are valid for the call.
        let signal = unsafe { libc::sigtimedwait(&signals, &mut info, &timeout) };
        let mut state = state.lock().unwrap_or_else(|e| e.into_inner());
        match signal {
            libc::SIGUSR1 => eprintln!("powercut_fs: {}", state.power_cut()),
            libc::SIGUSR2 => {
                // SAFETY: SIGUSR2 came from sigqueue with an integer value (or kill: 0).
                let value = unsafe { info.si_value().sival_ptr } as usize as u64;
                state.arm(value);
            }
            libc::SIGTERM | libc::SIGINT | libc::SIGHUP => break,
            _ => {}
        }
    }
    let cuts = state.lock().unwrap_or_else(|e| e.into_inner()).cuts;
    eprintln!("powercut_fs: unmounting after {cuts} power cuts");
    if let Err(e) = session.umount_and_join() {
        eprintln!("powercut_fs: {e}");
    }
}
