package io.blockferry.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.blockferry.BlockferryException;
import org.apache.kafka.common.errors.RetriableException;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The closed list of causes: every event's {@code cause}, every rejection's, and the
 * {@code blockferry-cause} header of every dead letter is one of these kebab-case names, never a
 * class name. The README's events table and {@code docs/contract/schemas/event.schema.json} list
 * the same names (a test compares them). A new cause is added here, to the README and to the
 * schema's enum at once; a reader must accept a cause it does not know (the contract's rule).
 */
public enum Causes {
    // why a generation is full (BEGIN's cause) or an incremental
    FIRST_SYNC("first-sync"),
    SCHEDULED("scheduled"),
    REQUESTED("requested"),
    // chain breaks (a full resync follows)
    BASE_SNAPSHOT_MISSING("base-snapshot-missing"),
    VOLUME_RESIZED("volume-resized"),
    IMAGE_RECREATED("image-recreated"),
    TARGET_MISSING_BASE("target-missing-base"),
    /** An incremental of one source site offered on top of another site's recovery point of the volume. */
    SOURCE_SITE_CONFLICT("source-site-conflict"),
    DIFF_INVALID("diff-invalid"),
    TARGET_CORRUPT("target-corrupt"),
    SERVER_MIGRATED("server-migrated"),
    // the target's rejections (acks and resync-requested)
    CHUNK_CORRUPT("chunk-corrupt"),
    RECORDS_MISSING("records-missing"),
    MANIFEST_MISMATCH("manifest-mismatch"),
    GENERATION_REUSED("generation-reused"),
    TARGET_UNAVAILABLE("target-unavailable"),
    TARGET_WRITE_FAILED("target-write-failed"),
    // records refused (dead letters)
    NOT_A_CHUNK_RECORD("not-a-chunk-record"),
    RECORD_MALFORMED("record-malformed"),
    RECORD_DAMAGED("record-damaged"),
    RECORD_VERSION_UNSUPPORTED("record-version-unsupported"),
    VOLUME_ID_INVALID("volume-id-invalid"),
    JSON_INVALID("json-invalid"),
    RECORD_UNSIGNED("record-unsigned"),
    SIGNATURE_INVALID("signature-invalid"),
    UNKNOWN_KEY("unknown-key"),
    PAYLOAD_UNDECRYPTABLE("payload-undecryptable"),
    // a failed sync (sync-failed, and the dead letter of its request)
    CEPH_ERROR("ceph-error"),
    CEPH_UNAVAILABLE("ceph-unavailable"),
    IMAGE_NOT_FOUND("image-not-found"),
    CEPH_PERMISSION_DENIED("ceph-permission-denied"),
    KAFKA_UNAVAILABLE("kafka-unavailable"),
    STATE_STORE_FAILED("state-store-failed"),
    CONFIGURATION_INVALID("configuration-invalid"),
    SYNC_IN_PROGRESS("sync-in-progress"),
    SYNC_INCOMPLETE("sync-incomplete"),
    INTERNAL_ERROR("internal-error"),
    // the HCS/Dorado backend (sync-failed, and what its start-up clean-up removed)
    HCS_ERROR("hcs-error"),
    HCS_UNAVAILABLE("hcs-unavailable"),
    HCS_PERMISSION_DENIED("hcs-permission-denied"),
    HCS_JOB_FAILED("hcs-job-failed"),
    ATTACH_LIMIT("attach-limit"),
    TEMPORARY_DISK_LEFT("temporary-disk-left"),
    // snapshots, hooks, the queue and policies
    SNAPSHOT_LIMIT("snapshot-limit"),
    HOOK_FAILED("hook-failed"),
    PRE_SNAPSHOT("pre-snapshot"),
    POST_SNAPSHOT("post-snapshot"),
    QUEUE_TIMEOUT("queue-timeout"),
    SELECTED_TWICE("selected-twice"),
    PREVIOUS_RUN_BUSY("previous-run-busy"),
    SELECTION_FAILED("selection-failed"),
    POLICY_FILE("policy-file"),
    // recovery-point objectives and retention
    POINT_TOO_OLD("point-too-old"),
    NO_POINT_YET("no-point-yet"),
    POINT_ACKED("point-acked"),
    OBJECTIVE_CHANGED("objective-changed"),
    OBJECTIVE_REMOVED("objective-removed"),
    KEEP_POINTS("keep-points"),
    // full generations asked for by a downstream consumer (the request's reason)
    JOINED_LATE("joined-late"),
    CONSUMER_STATE_LOST("consumer-state-lost"),
    CONSUMER_CHAIN_BROKEN("consumer-chain-broken"),
    // the OpenStack inventory: skip reasons, changes, polls
    SERVER_SUSPENDED("server-suspended"),
    SERVER_PAUSED("server-paused"),
    SERVER_ERROR("server-error"),
    SERVER_SHELVED("server-shelved"),
    SERVER_MIGRATING("server-migrating"),
    SERVER_RESIZING("server-resizing"),
    VOLUME_ENCRYPTED("volume-encrypted"),
    VOLUME_TYPE_UNMAPPED("volume-type-unmapped"),
    VOLUME_NOT_VISIBLE("volume-not-visible"),
    /** HCS: a disk whose Dorado LUN could not be found or checked on the array. */
    VOLUME_LUN_UNVERIFIED("volume-lun-unverified"),
    SERVER_ADDED("server-added"),
    SERVER_REMOVED("server-removed"),
    VOLUME_ATTACHED("volume-attached"),
    VOLUME_DETACHED("volume-detached"),
    VOLUME_EXTENDED("volume-extended"),
    VOLUME_RETYPED("volume-retyped"),
    VOLUME_MIGRATED("volume-migrated"),
    SERVER_HOST_CHANGED("server-host-changed"),
    POLL_FAILED("poll-failed"),
    AUTH_DOMAIN_FAILED("auth-domain-failed"),
    /** Only ever published in place of a name missing from this list (a bug, logged). */
    UNCLASSIFIED("unclassified");

    private static final Map<String, Causes> BY_WIRE = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(Causes::wire, Function.identity()));

    private final String wire;

    Causes(String wire) {
        this.wire = wire;
    }

    /** The name on the wire (kebab-case). */
    public String wire() {
        return wire;
    }

    public static Optional<Causes> find(String wire) {
        return Optional.ofNullable(wire == null ? null : BY_WIRE.get(wire));
    }

    public static boolean isKnown(String wire) {
        return wire != null && BY_WIRE.containsKey(wire);
    }

    /**
     * The cause of a failure, for {@code sync-failed} and {@code dead-letter}: the first failure in
     * its chain that names one (Blockferry's own say it themselves, see
     * {@link BlockferryException#failureCause()}; Kafka's and Jackson's are known by type), else
     * {@link #INTERNAL_ERROR}.
     */
    public static String of(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            Causes found = t instanceof BlockferryException own ? own.failureCause() : foreign(t);
            if (found != null) {
                return found.wire();
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return INTERNAL_ERROR.wire();
    }

    private static Causes foreign(Throwable t) {
        if (t instanceof RetriableException || t instanceof org.apache.kafka.common.errors.TimeoutException) {
            return KAFKA_UNAVAILABLE;
        }
        if (t instanceof JsonProcessingException) {
            return JSON_INVALID;
        }
        return null;
    }
}
