package io.blockferry.ceph;

import com.ceph.rados.IoCTX;
import com.ceph.rados.Rados;
import com.ceph.rados.exceptions.RadosException;
import com.ceph.rbd.Rbd;
import com.ceph.rbd.RbdException;
import com.ceph.rbd.RbdImage;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connection to one Ceph cluster through librados, with an I/O context per pool. Errors are
 * translated into messages that say which pool, image or credential is wrong.
 */
public final class CephCluster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CephCluster.class);

    private final Rados rados;
    private final CephSettings settings;
    private final Map<String, IoCTX> pools = new ConcurrentHashMap<>();
    /** librados crashes the JVM on a handle used after shutdown: every use checks this first. */
    private volatile boolean closed;

    private CephCluster(Rados rados, CephSettings settings) {
        this.rados = rados;
        this.settings = settings;
    }

    public static CephCluster connect(CephSettings settings) {
        if (!Files.isReadable(settings.confFile())) {
            throw new CephException("Ceph configuration file " + settings.confFile() + " does not exist or is not "
                    + "readable: set " + settings.key("conf"), CephErrors.ENOENT);
        }
        if (settings.keyring() != null && !Files.isReadable(settings.keyring())) {
            throw new CephException("cephx keyring " + settings.keyring() + " for client." + settings.user()
                    + " does not exist or is not readable: set " + settings.key("keyring"),
                    CephErrors.ENOENT);
        }
        Rados rados;
        try {
            rados = new Rados(settings.user());
        } catch (UnsatisfiedLinkError e) {
            throw new CephException("librados is not installed on this machine: install Debian's librados2 and "
                    + "librbd1 packages (scripts/ceph-dev.sh start does it)", 0, e);
        }
        String timeout = Integer.toString(settings.timeoutSeconds());
        try {
            rados.confReadFile(settings.confFile().toFile());
            if (settings.keyring() != null) {
                rados.confSet("keyring", settings.keyring().toString());
            }
            rados.confSet("client_mount_timeout", timeout);
            rados.confSet("rados_mon_op_timeout", timeout);
            rados.confSet("rados_osd_op_timeout", timeout);
            rados.connect();
        } catch (RadosException e) {
            String monitors = monitorHosts(rados);
            rados.shutDown();
            throw new CephException(connectFailure(settings, monitors, e.getReturnValue()), Math.abs(e.getReturnValue()), e);
        }
        LOG.info("Connected to Ceph as client.{} using {}", settings.user(), settings.confFile());
        return new CephCluster(rados, settings);
    }

    private static String connectFailure(CephSettings settings, String monitors, int errno) {
        String who = "client." + settings.user();
        return switch (Math.abs(errno)) {
            case CephErrors.EPERM, CephErrors.EACCES -> "Ceph refused the cephx credentials of " + who
                    + " (" + CephErrors.describe(errno) + "): check the keyring "
                    + (settings.keyring() == null ? "named in " + settings.confFile() : settings.keyring().toString())
                    + " and that the user exists (ceph auth get " + who + ")";
            case CephErrors.ETIMEDOUT -> "Ceph monitors " + monitors + " did not answer within "
                    + settings.timeoutSeconds() + " s: check that the cluster is running and reachable from this host "
                    + "(mon host in " + settings.confFile() + ")";
            case CephErrors.ENOENT -> "Ceph could not find a keyring for " + who + ": set " + settings.key("keyring") + " "
                    + "or a keyring entry in " + settings.confFile();
            default -> "cannot connect to Ceph at " + monitors + " as " + who + ": " + CephErrors.describe(errno);
        };
    }

    private static String monitorHosts(Rados rados) {
        try {
            return rados.confGet("mon_host");
        } catch (RadosException e) {
            return "(unknown monitors)";
        }
    }

    public IoCTX pool(String pool) {
        requireOpen();
        return pools.computeIfAbsent(pool, name -> {
            try {
                rados.poolLookup(name);
                return rados.ioCtxCreate(name);
            } catch (RadosException e) {
                if (Math.abs(e.getReturnValue()) == CephErrors.ENOENT) {
                    throw new CephException("Ceph pool '" + name + "' does not exist: check the pool name "
                            + "(ceph osd pool ls)", CephErrors.ENOENT, e);
                }
                throw new CephException("cannot open Ceph pool '" + name + "': "
                        + CephErrors.describe(e.getReturnValue()), Math.abs(e.getReturnValue()), e);
            }
        });
    }

    public Rbd rbd(String pool) {
        return new Rbd(pool(pool));
    }

    /** The names of the RBD images in a pool. */
    public List<String> images(String pool) {
        try {
            return List.of(rbd(pool).list());
        } catch (RbdException e) {
            throw new CephException("cannot list the images of Ceph pool '" + pool + "': "
                    + CephErrors.describe(e.getReturnValue()), Math.abs(e.getReturnValue()), e);
        }
    }

    /** Opens the image head for writing (snapshot create and delete need it). */
    public RbdImage open(String pool, String image) {
        try {
            return rbd(pool).open(image);
        } catch (RbdException e) {
            throw imageFailure(pool, image, null, e);
        }
    }

    /** Opens the image read-only at a snapshot (null: at its head). */
    public RbdImage openAt(String pool, String image, String snapshot) {
        try {
            return rbd(pool).openReadOnly(image, snapshot);
        } catch (RbdException e) {
            throw imageFailure(pool, image, snapshot, e);
        }
    }

    public void close(String pool, RbdImage image) {
        if (closed) {
            LOG.warn("RBD image {}/{} was still open when the connection to Ceph closed", pool, image.getName());
            return;
        }
        try {
            rbd(pool).close(image);
        } catch (RbdException e) {
            LOG.warn("Closing RBD image {}/{} failed: {}", pool, image.getName(), CephErrors.describe(e.getReturnValue()));
        }
    }

    static RuntimeException imageFailure(String pool, String image, String snapshot, RbdException e) {
        int errno = Math.abs(e.getReturnValue());
        String what = pool + "/" + image + (snapshot == null ? "" : "@" + snapshot);
        if (errno == CephErrors.ENOENT) {
            return new CephException("RBD image " + what + " does not exist: check the image name (rbd ls " + pool + ")",
                    errno, e);
        }
        if (errno == CephErrors.EPERM || errno == CephErrors.EACCES) {
            return new CephException("not permitted to open RBD image " + what + ": grant the Blockferry user "
                    + "'profile rbd pool=" + pool + "', and read access to the pool of its parent if it is a clone "
                    + "(volumes made from Glance images: 'profile rbd-read-only pool=images')", errno, e);
        }
        return CephErrors.failure("cannot open RBD image " + what + ": " + CephErrors.describe(errno), errno, e);
    }

    /** Asks the monitors for the pool list: proves the cluster answers and the credentials hold. */
    public void ping() {
        requireOpen();
        try {
            rados.poolList();
        } catch (RadosException e) {
            throw CephErrors.failure("Ceph did not answer: " + CephErrors.describe(e.getReturnValue()),
                    e.getReturnValue(), e);
        }
    }

    public CephSettings settings() {
        return settings;
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the connection to Ceph as client." + settings.user() + " is closed");
        }
    }

    /** Closes the connection once; later uses throw instead of reaching freed librados handles. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        pools.values().forEach(rados::ioCtxDestroy);
        pools.clear();
        rados.shutDown();
    }
}
