package io.blockferry.source;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.blockferry.events.Causes;
import io.blockferry.events.Event;
import io.blockferry.events.EventSink;
import io.blockferry.events.EventTypes;
import io.blockferry.transport.MalformedRecordException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Acts on a downstream consumer's request for a full generation of a volume (the requests topic;
 * its signature was checked before): a consumer that joins late, lost its state or saw its chain
 * break asks instead of waiting for the next chain break. The source queues a full sync of the
 * volume, which the target commits like any other.
 *
 * <p>A request is obeyed once: one older than {@code maxAge}, dated more than a few minutes ahead,
 * or not newer than the last request obeyed for the volume is ignored, so a replayed request
 * (even a genuinely signed one) costs nothing. A restart forgets the last request; the age limit
 * still bounds what a replay can cause to one extra full generation.
 */
public final class FullGenerationRequests {

    /** What a consumer publishes on the requests topic (schema: docs/contract/schemas/full-generation-request.schema.json). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Request(String type, String volumeId, String requestId, String requestedBy, String reason,
                          long atMillis, String sourceSite) {
    }

    public static final String TYPE = "full-generation";
    private static final Set<String> REASONS = Set.of(Causes.JOINED_LATE.wire(), Causes.CONSUMER_STATE_LOST.wire(),
            Causes.CONSUMER_CHAIN_BROKEN.wire());
    private static final long FUTURE_TOLERANCE_MILLIS = Duration.ofMinutes(5).toMillis();
    private static final Logger LOG = LoggerFactory.getLogger(FullGenerationRequests.class);

    private final VolumeStateStore store;
    private final ResyncTrigger trigger;
    private final EventSink events;
    private final long maxAgeMillis;
    private final Clock clock;
    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, Long> lastObeyed = new ConcurrentHashMap<>();
    private final String site;

    public FullGenerationRequests(VolumeStateStore store, ResyncTrigger trigger, EventSink events, Duration maxAge,
                                  Clock clock) {
        this(store, trigger, events, maxAge, clock, null);
    }

    /** @param site this source's site: a request addressed to another site is left alone */
    public FullGenerationRequests(VolumeStateStore store, ResyncTrigger trigger, EventSink events, Duration maxAge,
                                  Clock clock, String site) {
        this.site = site;
        this.store = store;
        this.trigger = trigger;
        this.events = events;
        this.maxAgeMillis = maxAge.toMillis();
        this.clock = clock;
    }

    /**
     * @return whether a full sync was queued
     * @throws MalformedRecordException when the record is not a request (it is dead-lettered)
     */
    public boolean onRequest(byte[] value) {
        Request r;
        try {
            r = json.readValue(value, Request.class);
        } catch (IOException e) {
            throw new MalformedRecordException("a record on the requests topic is not a request: "
                    + "not valid JSON", Causes.JSON_INVALID);
        }
        if (r == null || !TYPE.equals(r.type()) || r.volumeId() == null || r.atMillis() <= 0
                || r.reason() == null || !REASONS.contains(r.reason())) {
            throw new MalformedRecordException("a record on the requests topic is not a full-generation request "
                    + "(type " + (r == null ? null : r.type()) + ", reason " + (r == null ? null : r.reason())
                    + "): see docs/contract/schemas/full-generation-request.schema.json", Causes.JSON_INVALID);
        }
        long now = clock.millis();
        String ignored = null;
        if (r.sourceSite() != null && !r.sourceSite().isEmpty() && site != null && !r.sourceSite().equals(site)) {
            ignored = "it is addressed to source site " + r.sourceSite() + " (this is " + site + ")";
        } else if (store.find(r.volumeId()).isEmpty()) {
            ignored = "this source does not sync that volume";
        } else if (now - r.atMillis() > maxAgeMillis) {
            ignored = "it is older than blockferry.source.request-max-age (" + (now - r.atMillis()) / 1000 + " s)";
        } else if (r.atMillis() - now > FUTURE_TOLERANCE_MILLIS) {
            ignored = "it is dated " + (r.atMillis() - now) / 1000 + " s in the future";
        } else if (r.atMillis() <= lastObeyed.getOrDefault(r.volumeId(), 0L)) {
            ignored = "a request as new or newer was obeyed already (a replay)";
        }
        if (ignored != null) {
            LOG.info("Ignoring the full-generation request {} for {} from {}: {}", r.requestId(), r.volumeId(),
                    r.requestedBy(), ignored);
            return false;
        }
        lastObeyed.merge(r.volumeId(), r.atMillis(), Math::max);
        events.publish(Event.of(EventTypes.FULL_GENERATION_REQUESTED, r.volumeId(), r.reason(), Event.INFO,
                "downstream consumer " + r.requestedBy() + " asked for a full generation of " + r.volumeId()
                        + " (request " + r.requestId() + ", " + r.reason() + "): a full sync is queued",
                Map.of("requestedAtMillis", r.atMillis())));
        trigger.request(SyncRequest.full(r.volumeId(), "full-generation-requested"));
        return true;
    }
}
