package io.blockferry.ceph;

import java.nio.file.Path;

/**
 * How to reach a Ceph cluster: a ceph.conf, the cephx user (without "client.") and optionally a
 * keyring path. The key itself is only ever read by librados from the keyring file.
 */
public record CephSettings(Path confFile, String user, Path keyring, int timeoutSeconds) {
}
