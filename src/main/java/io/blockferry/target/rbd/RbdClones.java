package io.blockferry.target.rbd;

import com.ceph.rbd.RbdException;
import com.ceph.rbd.RbdImage;
import com.ceph.rbd.jna.RbdSnapInfo;
import io.blockferry.ceph.CephCluster;
import io.blockferry.ceph.CephErrors;
import io.blockferry.ceph.RbdImages;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Copy-on-write clones of DR snapshots, for failovers and drills: a clone copies no data, so it
 * takes the same time whatever the disk's size. Cinder then adopts the clone as a volume. The
 * parent snapshot is protected first: this cluster's clients may need format-1 clones, whose
 * parents must be protected, and a protected snapshot is one retention leaves alone
 * ({@link RbdReplica#forgetBefore}) for as long as a clone depends on it. Protecting changes the
 * snapshot's flag only, never its data; {@link #releaseUnused} clears the flag of every DR
 * snapshot that no clone uses any more.
 */
public final class RbdClones {

    private final CephCluster dr;

    public RbdClones(CephCluster dr) {
        this.dr = dr;
    }

    /** Clones {@code pool/image@snapshot} into {@code childPool/childName} of the same cluster. */
    public void clone(String snapshotSpec, String childPool, String childName) {
        String pool = snapshotSpec.substring(0, snapshotSpec.indexOf('/'));
        String image = snapshotSpec.substring(pool.length() + 1, snapshotSpec.indexOf('@'));
        String snapshot = snapshotSpec.substring(snapshotSpec.indexOf('@') + 1);
        RbdImage parent = dr.open(pool, image);
        try {
            if (!parent.snapIsProtected(snapshot)) {
                parent.snapProtect(snapshot);
            }
            dr.rbd(pool).clone(image, snapshot, dr.pool(childPool), childName, RbdImages.FEATURES, 22);
        } catch (RbdException e) {
            throw CephErrors.failure("cannot clone DR snapshot " + snapshotSpec + " to " + childPool + "/" + childName
                    + ": " + CephErrors.describe(e.getReturnValue()) + " (the DR user needs 'profile rbd' on "
                    + childPool + ", and the cloud's Cinder user read access to " + pool + ")", e.getReturnValue(), e);
        } finally {
            dr.close(pool, parent);
        }
    }

    /** Unprotects the DR snapshots in {@code pools} that no clone uses; returns them as pool/image@snapshot. */
    public List<String> releaseUnused(Collection<String> pools) {
        List<String> released = new ArrayList<>();
        for (String pool : pools) {
            for (String name : dr.images(pool)) {
                RbdImage image = dr.open(pool, name);
                try {
                    for (RbdSnapInfo snap : image.snapList()) {
                        if (snap.name.startsWith(RbdReplica.SNAPSHOT_PREFIX) && image.snapIsProtected(snap.name)
                                && image.listChildren(snap.name).isEmpty()) {
                            image.snapUnprotect(snap.name);
                            released.add(pool + "/" + name + "@" + snap.name);
                        }
                    }
                } catch (RbdException e) {
                    throw CephErrors.failure("cannot release the DR snapshots of " + pool + "/" + name + ": "
                            + CephErrors.describe(e.getReturnValue()), e.getReturnValue(), e);
                } finally {
                    dr.close(pool, image);
                }
            }
        }
        return released;
    }
}
