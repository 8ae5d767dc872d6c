package io.blockferry.target;

import io.blockferry.source.BlockReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A volume's replica: a copy of the volume at a committed recovery point, kept by the target (a
 * sparse file in the repository, {@code target.file}; an RBD image on a DR Ceph cluster with a
 * snapshot per point, {@code target.rbd}). Which one a volume gets is the target's configuration
 * ({@link Replicas}). Implementations live in a package of their own and pass {@code ReplicaContract}.
 *
 * <p>The contract:
 * <ul>
 * <li>a full point is built while it arrives ({@link #build}), apart from the replica, which keeps
 *     the previous point until {@link #install} makes the finished build the replica in one atomic
 *     step: a reader sees the old replica or the new one, never a mix;</li>
 * <li>an incremental point is applied in place by {@link #apply} once it is committed. Applying the
 *     same point twice gives the same image, so an interrupted apply is simply repeated (the caller
 *     repeats it only onto the state it was meant for: the replica of the point's base, or one half
 *     brought to this point);</li>
 * <li>an incremental never creates a replica: applying to a replica that is not there fails;</li>
 * <li>ranges a point records as zeros read as zeros afterwards, and take no space where the medium
 *     can free it.</li>
 * </ul>
 */
public interface Replica {

    /** A full point's new image, written as its records arrive. */
    interface FullBuild extends AutoCloseable {
        void write(long offset, ByteBuffer data);

        /** Makes what was written durable. */
        void force();

        @Override
        void close();
    }

    /** Starts the image of full point {@code generation}, of {@code size} bytes, replacing an earlier attempt. */
    FullBuild build(long generation, long size);

    /** Reopens the build of {@code generation} after a restart (records after its checkpoint are written again). */
    FullBuild resumeBuild(long generation, long size);

    /** Whether a build of {@code generation} exists (and was not installed yet). */
    boolean hasBuild(long generation);

    /** Removes a build that will never be installed (its generation was rejected or superseded). */
    void discardBuild(long generation);

    /** Makes the finished build of {@code generation} the replica, atomically and durably. */
    void install(long generation);

    /**
     * Applies committed incremental point {@code generation}'s diff ({@code rbd export-diff} format)
     * in place and makes it durable.
     */
    void apply(long generation, Path pointDiff) throws IOException;

    /**
     * Retention removed every point before {@code oldestKept}: whatever the replica keeps of them
     * (a DR snapshot per point) goes. Repeating it is harmless; a replica that keeps only its
     * newest state has nothing to do.
     */
    default void forgetBefore(long oldestKept) {
    }

    /** Why the replica cannot stand for a point of {@code expectedSize} bytes (missing, wrong size), or null. */
    String problem(long expectedSize);

    /** Reads the replica as it is now (scrub); close after use. */
    BlockReader reader();

    /** Where it is, for messages. */
    String describe();
}
