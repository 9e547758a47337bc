// Filesystems without events: which mounts make the index and `watch` poll by themselves, and what they say.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventlessType, filesystemOf, macMountTypeIn, mountTypeIn, pollingNotice, watchMode } from '../../src/core/fs/fstype';
import { tempRoot } from '../helpers/tmp';

// /proc/mounts as WSL 1 and 2, a Linux desktop with network mounts, and a container have it.
const MOUNTS = [
  'rootfs / ext4 rw,relatime 0 0',
  'C: /mnt/c drvfs rw,noatime,uid=1000,gid=1000 0 0',
  'D:\\134 /mnt/d 9p rw,noatime,dirsync,aname=drvfs;path=D:\\;uid=1000;gid=1000;symlinkroot=/mnt/ 0 0',
  'alice@srv:/srv/team /home/alice/team fuse.sshfs rw,nosuid,nodev,relatime,user_id=1000,group_id=1000 0 0',
  'srv:/export /net/nfs nfs4 rw,relatime,vers=4.2 0 0',
  '//srv/share /net/smb cifs rw,relatime,vers=3.1.1 0 0',
  'smbnetfs /net/smbnetfs fuse.smbnetfs rw,nosuid,nodev 0 0',
  'fuse-overlayfs /var/lib/containers/overlay fuse.fuse-overlayfs rw 0 0',
  '/dev/sdb1 /media/usb fuseblk rw,nosuid,nodev 0 0',
  '/dev/sda2 /home ext4 rw 0 0',
  '/dev/sda3 /home/alice/my\\040disk xfs rw 0 0',
].join('\n');

test('the mount holding a path is the longest that contains it; octal escapes in mount points are read', () => {
  assert.equal(mountTypeIn(MOUNTS, '/mnt/c/Users/alice/dispatch'), 'drvfs');
  assert.equal(mountTypeIn(MOUNTS, '/mnt/d/x'), '9p');
  assert.equal(mountTypeIn(MOUNTS, '/home/alice/team/dispatch'), 'fuse.sshfs');
  assert.equal(mountTypeIn(MOUNTS, '/home/alice/teamwork'), 'ext4', 'a sibling whose name starts alike is not inside');
  assert.equal(mountTypeIn(MOUNTS, '/home/alice/my disk/root'), 'xfs');
  assert.equal(mountTypeIn(MOUNTS, '/tmp'), 'ext4');
});

test('NFS, SMB, sshfs, other FUSE and network mounts and WSL drives poll; local disks, local FUSE and fuseblk do not', () => {
  for (const t of ['drvfs', '9p', 'fuse.sshfs', 'nfs', 'nfs4', 'cifs', 'smb3', 'smbfs', 'fuse.smbnetfs', 'fuse.rclone', 'fuse', 'ceph', 'glusterfs', 'davfs'])
    assert.ok(eventlessType(t), t);
  for (const t of ['ext4', 'xfs', 'btrfs', 'tmpfs', 'overlay', 'apfs', 'fuseblk', 'fuse.fuse-overlayfs', 'fuse.lxcfs', 'zfs'])
    assert.equal(eventlessType(t), undefined, t);
  assert.match(eventlessType('9p')!.why, /Windows drive in WSL \(9p\): writes made from Windows raise no events in Linux/);
});

test('macOS: the type from `mount` output', () => {
  const text = [
    '/dev/disk3s1s1 on / (apfs, sealed, local, read-only, journaled)',
    '//alice@srv/team on /Volumes/team (smbfs, nodev, nosuid, mounted by alice)',
    'srv:/export on /Volumes/nfs share (nfs, asynchronous)',
  ].join('\n');
  assert.equal(macMountTypeIn(text, '/Volumes/team/dispatch'), 'smbfs');
  assert.equal(macMountTypeIn(text, '/Volumes/nfs share/x'), 'nfs');
  assert.equal(macMountTypeIn(text, '/Users/alice'), 'apfs');
});

test('Windows: a root on a UNC path is SMB; a drive letter is not known', async () => {
  assert.equal(await filesystemOf('\\\\srv\\share\\dispatch', 'win32'), 'smb');
  assert.equal(await filesystemOf('C:\\Users\\alice\\dispatch', 'win32'), undefined);
});

test('the notice says why, how often and how late; with the setting off it warns instead', () => {
  const sshfs = { poll: true, eventless: eventlessType('fuse.sshfs') };
  assert.equal(
    pollingNotice('/r', sshfs, 2000),
    'polling /r every 2 s: it is on sshfs: changes made on other machines raise no events here; arrivals show within 22 s (sshfs caches folder listings for 20 s (dir_cache): mount with -o dir_cache=no to see arrivals within the interval)',
  );
  assert.equal(
    pollingNotice('/mnt/c/d', { poll: true, eventless: eventlessType('drvfs') }, 500),
    'polling /mnt/c/d every 500 ms: it is a Windows drive in WSL (drvfs): writes made from Windows raise no events in Linux; arrivals show within 500 ms',
  );
  assert.match(
    pollingNotice('/n', { poll: true, eventless: eventlessType('nfs4') }, 2000)!,
    /within 62 s \(the NFS client caches folder attributes for 30–60 s/,
  );
  assert.equal(
    pollingNotice('/r', { poll: false, eventless: eventlessType('cifs') }, 2000),
    '/r: it is on SMB: changes made on other machines raise no events here, and polling is turned off: arrivals from elsewhere show only on a refresh',
  );
  assert.equal(pollingNotice('/r', { poll: true }, 2000), undefined, 'polling asked for on a local disk: nothing to explain');
});

test('auto follows the filesystem; true and false override it', async () => {
  const local = tempRoot();
  assert.deepEqual(await watchMode(local, 'auto'), { poll: false, eventless: undefined });
  assert.equal((await watchMode(local, true)).poll, true);
  assert.equal((await watchMode(local, false)).poll, false);
});
