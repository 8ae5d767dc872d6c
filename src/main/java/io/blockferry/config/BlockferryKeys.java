package io.blockferry.config;

import static io.blockferry.config.ConfigType.BOOLEAN;
import static io.blockferry.config.ConfigType.BYTES;
import static io.blockferry.config.ConfigType.DOUBLE;
import static io.blockferry.config.ConfigType.DURATION;
import static io.blockferry.config.ConfigType.INT;
import static io.blockferry.config.ConfigType.LIST;
import static io.blockferry.config.ConfigType.PAIRS;
import static io.blockferry.config.ConfigType.PASSWORD;
import static io.blockferry.config.ConfigType.PATH;
import static io.blockferry.config.ConfigType.STRING;

import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Every {@code blockferry.*} key, declared once with its type and default. The shipped
 * {@code config/application.properties} lists each with its comment and the same default (a test
 * holds them equal); a key missing from an operator's own file takes its default from here.
 */
public final class BlockferryKeys {

    private static final String[] PROTOCOLS = {"PLAINTEXT", "SSL", "SASL_SSL", "SASL_PLAINTEXT"};

    public static final ConfigDef DEFINITION = define();

    private BlockferryKeys() {
    }

    private static ConfigKey key(String name, ConfigType type, String defaultValue) {
        return ConfigKey.of(name, type, defaultValue);
    }

    private static ConfigDef define() {
        ConfigDef d = new ConfigDef();
        // process
        d.define(key("blockferry.site", STRING, ""));
        d.define(key("blockferry.roles", LIST, "source,target").eachOf("source", "target"));
        d.define(key("blockferry.data-dir", PATH, "data"));
        // kafka
        d.define(key("blockferry.kafka.bootstrap-servers", LIST, ""));
        d.define(key("blockferry.kafka.embedded.port", INT, "9092").atLeast(0));
        d.define(key("blockferry.kafka.embedded.controller-port", INT, "9093").atLeast(0));
        d.define(key("blockferry.kafka.chunk-topic", STRING, "blockferry.chunks"));
        d.define(key("blockferry.kafka.ack-topic", STRING, "blockferry.acks"));
        d.define(key("blockferry.kafka.event-topic", STRING, "blockferry.events"));
        d.define(key("blockferry.kafka.dead-letter-topic", STRING, "blockferry.dead-letters"));
        d.define(key("blockferry.kafka.request-topic", STRING, "blockferry.requests"));
        d.define(key("blockferry.kafka.metadata-topic", STRING, "blockferry.metadata"));
        d.define(key("blockferry.kafka.sums-topic", STRING, "blockferry.chunk-sums"));
        d.define(key("blockferry.kafka.metadata-group", STRING, "blockferry-target-metadata"));
        d.define(key("blockferry.kafka.partitions", INT, "8").atLeast(1));
        d.define(key("blockferry.kafka.replication-factor", INT, "0").atLeast(0));
        d.define(key("blockferry.kafka.compression", STRING, "lz4").oneOf("lz4", "zstd", "snappy", "gzip", "none"));
        d.define(key("blockferry.kafka.record-size", BYTES, "1M").atLeast(4096));
        d.define(key("blockferry.kafka.batch-size", BYTES, "4M").atLeast(1));
        d.define(key("blockferry.kafka.linger-ms", INT, "5").atLeast(0));
        d.define(key("blockferry.kafka.producer-buffer", BYTES, "32M").atLeast(1 << 20));
        d.define(key("blockferry.kafka.fetch-size", BYTES, "16M").atLeast(1 << 20));
        d.define(key("blockferry.kafka.timeout-seconds", INT, "20").atLeast(1));
        d.define(key("blockferry.kafka.embedded.security-protocol", STRING, "PLAINTEXT").oneOf(PROTOCOLS));
        d.define(key("blockferry.kafka.embedded.scram-users", PASSWORD, ""));
        d.define(key("blockferry.kafka.target-group", STRING, "blockferry-target"));
        d.define(key("blockferry.kafka.source-group", STRING, ""));
        d.define(key("blockferry.kafka.task-topic", STRING, "blockferry.tasks"));
        d.define(key("blockferry.kafka.source-state-topic", STRING, "blockferry.source-state"));
        d.define(key("blockferry.kafka.proxy-group", STRING, ""));
        d.define(key("blockferry.source.work-sharing", STRING, "none").oneOf("none", "kafka"));
        d.define(key("blockferry.source.handover-timeout", DURATION, "30s").atLeast(0));
        d.defineInternal(key("blockferry.kafka.max-message-bytes", INT, ""));
        d.passThrough("blockferry.kafka.client.", kafkaClientKeys(), "Kafka client");
        d.passThrough("blockferry.kafka.embedded.config.", null, "Kafka broker");
        // security (records on the topics)
        d.define(key("blockferry.security.record-keys", PAIRS, ""));
        d.define(key("blockferry.security.signing-key", STRING, ""));
        d.define(key("blockferry.security.request-keys", PAIRS, ""));
        d.define(key("blockferry.security.accept-unsigned", BOOLEAN, "false"));
        d.define(key("blockferry.security.encrypt-payloads", BOOLEAN, "false"));
        // broker (bin/blockferry broker)
        d.define(key("blockferry.broker.host", STRING, "127.0.0.1"));
        d.define(key("blockferry.broker.port", INT, "9092").atLeast(0));
        d.define(key("blockferry.broker.controller-port", INT, "9093").atLeast(0));
        d.define(key("blockferry.broker.dir", PATH, "{{blockferry.data-dir}}/broker"));
        d.define(key("blockferry.broker.security-protocol", STRING, "PLAINTEXT").oneOf(PROTOCOLS));
        d.define(key("blockferry.broker.scram-users", PASSWORD, ""));
        d.passThrough("blockferry.broker.config.", null, "Kafka broker");
        // ceph (the default source backend) and named backends
        d.define(key("blockferry.ceph.enabled", BOOLEAN, "true"));
        d.define(key("blockferry.ceph.conf", PATH, "/etc/ceph/ceph.conf"));
        d.define(key("blockferry.ceph.id", STRING, "blockferry"));
        d.define(key("blockferry.ceph.keyring", PATH, ""));
        d.define(key("blockferry.ceph.timeout-seconds", INT, "15").atLeast(1));
        d.define(key("blockferry.backends.*.type", STRING, null).oneOf(BackendTypes.NAMES));
        d.define(key("blockferry.backends.*.conf", PATH, null));
        d.define(key("blockferry.backends.*.id", STRING, null));
        d.define(key("blockferry.backends.*.keyring", PATH, null));
        d.define(key("blockferry.backends.*.timeout-seconds", INT, null).atLeast(1));
        d.define(key("blockferry.backends.*.max-disks", INT, null).atLeast(1));
        // type hcs (source/hcs: Huawei Cloud Stack on OceanStor Dorado)
        d.define(key("blockferry.backends.*.iam-url", STRING, null));
        d.define(key("blockferry.backends.*.ecs-url", STRING, null));
        d.define(key("blockferry.backends.*.evs-url", STRING, null));
        d.define(key("blockferry.backends.*.dorado-url", STRING, null));
        d.define(key("blockferry.backends.*.domain", STRING, null));
        d.define(key("blockferry.backends.*.user", STRING, null));
        d.define(key("blockferry.backends.*.password", PASSWORD, null));
        d.define(key("blockferry.backends.*.password-file", PATH, null));
        d.define(key("blockferry.backends.*.project-id", STRING, null));
        d.define(key("blockferry.backends.*.dorado-user", STRING, null));
        d.define(key("blockferry.backends.*.dorado-password", PASSWORD, null));
        d.define(key("blockferry.backends.*.dorado-password-file", PATH, null));
        d.define(key("blockferry.backends.*.proxy-server-id", STRING, null));
        d.define(key("blockferry.backends.*.device-dir", PATH, null));
        d.define(key("blockferry.backends.*.ca-file", PATH, null));
        d.define(key("blockferry.backends.*.job-timeout", DURATION, null).atLeast(1000));
        d.define(key("blockferry.backends.*.poll-interval", DURATION, null).atLeast(10));
        d.define(key("blockferry.backends.*.snapshot-limit", INT, null).atLeast(2));
        d.define(key("blockferry.backends.*.snapshot-limit-codes", LIST, null));
        d.define(key("blockferry.backends.*.bitmap-segment", BYTES, null).atLeast(512));
        d.define(key("blockferry.backends.*.bitmap-encoding", STRING, null).oneOf("BASE64", "HEX", "BITCHARS"));
        d.define(key("blockferry.backends.*.bitmap-bit-order", STRING, null).oneOf("MSB_FIRST", "LSB_FIRST"));
        d.define(key("blockferry.backends.*.chunk-size-field", STRING, null));
        d.define(key("blockferry.backends.*.bitmap-last-chunk", STRING, null).oneOf("CLIP", "PAD"));
        d.define(key("blockferry.backends.*.device-naming", STRING, null).oneOf("auto", "virtio", "scsi-wwn"));
        d.define(key("blockferry.backends.*.inventory", BOOLEAN, null));
        d.define(key("blockferry.backends.*.consistency-window", DURATION, null));
        d.define(key("blockferry.hcs.inventory-interval", DURATION, "5m").atLeast(1000));
        // source
        d.define(key("blockferry.source.volumes", LIST, ""));
        d.define(key("blockferry.source.sync-interval", DURATION, "15m").atLeast(1000));
        d.define(key("blockferry.source.chunk-size", BYTES, "1M").atLeast(4096));
        d.define(key("blockferry.source.read-ahead", INT, "8").atLeast(1));
        d.define(key("blockferry.source.buffer-memory", BYTES, "64M").atLeast(1 << 20));
        d.define(key("blockferry.source.zero-granularity", BYTES, "4K").atLeast(512));
        d.define(key("blockferry.source.min-zero-run", BYTES, "64K").atLeast(512));
        d.define(key("blockferry.source.read-threads", INT, "4").atLeast(1));
        d.define(key("blockferry.source.snapshot-prefix", STRING, "blockferry-"));
        d.define(key("blockferry.source.ack-timeout-seconds", INT, "1800").atLeast(0));
        d.define(key("blockferry.source.snapshot-limit", INT, "128").atLeast(2));
        d.define(key("blockferry.source.chain-break-resync", STRING, "checksum")
                .oneOf("checksum", "full", "manual", "auto"));
        d.define(key("blockferry.source.resync-backoff", DURATION, "10s"));
        d.define(key("blockferry.source.resync-backoff-max", DURATION, "15m"));
        d.define(key("blockferry.source.request-max-age", DURATION, "1h"));
        d.define(key("blockferry.source.verify-sample-rate", DOUBLE, "0.001").between(0, 1));
        d.define(key("blockferry.source.verify-sample-minimum", INT, "8").atLeast(0));
        d.define(key("blockferry.source.bandwidth-limit", BYTES, "0"));
        d.define(key("blockferry.source.release-cpu-time", INT, "0").atLeast(0));
        d.define(key("blockferry.source.progress-log-interval", DURATION, "30s").atLeast(1000));
        d.define(key("blockferry.process.pass-environment", LIST, ""));
        // policies and the work queue
        d.define(key("blockferry.policies.file", PATH, "config/policies.yaml"));
        d.define(key("blockferry.policies.watch-interval", DURATION, "10s").atLeast(1000));
        d.define(key("blockferry.queue.max-hosts", INT, "100").atLeast(1));
        d.define(key("blockferry.queue.max-disks", INT, "23").atLeast(1));
        d.define(key("blockferry.queue.max-disks-per-pool", INT, "0").atLeast(0));
        d.define(new ConfigKey("blockferry.queue.pool-limits", STRING, "",
                v -> PoolLimitsSyntax.valid(v.toString()), "pool=count pairs such as volumes=8,vms=4"));
        d.define(key("blockferry.queue.max-wait", DURATION, "1h"));
        d.define(key("blockferry.queue.dispatch-interval", DURATION, "1s").atLeast(10));
        d.define(key("blockferry.queue.manual-priority", INT, "100"));
        // openstack (source)
        d.define(key("blockferry.openstack.enabled", BOOLEAN, "false"));
        d.define(key("blockferry.openstack.auth-url", STRING, ""));
        d.define(key("blockferry.openstack.username", STRING, ""));
        d.define(key("blockferry.openstack.password", PASSWORD, ""));
        d.define(key("blockferry.openstack.user-domain", STRING, ""));
        d.define(key("blockferry.openstack.project", STRING, ""));
        d.define(key("blockferry.openstack.project-domain", STRING, ""));
        d.define(key("blockferry.openstack.region", STRING, ""));
        d.define(key("blockferry.openstack.interface", STRING, "").oneOf("public", "internal", "admin"));
        d.define(key("blockferry.openstack.cacert", PATH, ""));
        d.define(key("blockferry.openstack.insecure", BOOLEAN, ""));
        d.define(key("blockferry.openstack.auth-domains", LIST, ""));
        d.define(key("blockferry.openstack.auth-domain.*.username", STRING, null));
        d.define(key("blockferry.openstack.auth-domain.*.password", PASSWORD, null));
        d.define(key("blockferry.openstack.auth-domain.*.project", STRING, null));
        d.define(key("blockferry.openstack.all-projects", BOOLEAN, "false"));
        d.define(key("blockferry.openstack.poll-interval", DURATION, "5m").atLeast(1000));
        d.define(key("blockferry.openstack.poll-retry-delay-ms", INT, "5000").atLeast(1));
        d.define(key("blockferry.openstack.poll-retry-max-delay-ms", INT, "300000").atLeast(1));
        d.define(key("blockferry.openstack.pools", PAIRS, "DEFAULT_VOLUME_TYPE=volumes,CEPH_GLANCE_VMS=vms"));
        d.define(key("blockferry.openstack.resync-on-migration", BOOLEAN, "true"));
        // target
        d.define(key("blockferry.target.repository-dir", PATH, "{{blockferry.data-dir}}/repository"));
        d.define(key("blockferry.target.checkpoint-bytes", BYTES, "64M").atLeast(1 << 20));
        d.define(key("blockferry.target.writer-threads", INT, "4").atLeast(1));
        d.define(key("blockferry.target.buffer-memory", BYTES, "64M").atLeast(1 << 20));
        d.define(key("blockferry.target.max-queued-records", INT, "4096").atLeast(1));
        d.define(key("blockferry.target.revoke-wait", DURATION, "30s"));
        d.define(key("blockferry.target.work-sharing", STRING, "none").oneOf("none", "kafka"));
        d.define(key("blockferry.target.scrub-interval", DURATION, "24h").atLeast(1000));
        d.define(key("blockferry.target.keep-points", INT, "30").atLeast(0));
        d.define(key("blockferry.target.replica", STRING, "file").oneOf("file", "rbd"));
        d.define(key("blockferry.target.dr.conf", PATH, "/etc/ceph/dr.conf"));
        d.define(key("blockferry.target.dr.id", STRING, "blockferry-dr"));
        d.define(key("blockferry.target.dr.keyring", PATH, ""));
        d.define(key("blockferry.target.dr.timeout-seconds", INT, "15").atLeast(1));
        d.define(key("blockferry.target.dr.pool", STRING, "dr-volumes"));
        d.define(key("blockferry.target.dr.pools", PAIRS, ""));
        d.define(key("blockferry.target.dr.aio-window", INT, "16").atLeast(1));
        d.define(key("blockferry.target.dr.write-size", BYTES, "1M").atLeast(4096));
        // restore (target)
        d.define(key("blockferry.restore.rbd-command", STRING, "rbd"));
        d.define(key("blockferry.restore.pools", PAIRS, ""));
        d.define(key("blockferry.restore.rbd-timeout", DURATION, "60m").atLeast(1000));
        d.define(key("blockferry.restore.volume-types", PAIRS, ""));
        d.define(key("blockferry.restore.timeout", DURATION, "10m").atLeast(1000));
        // instant access: recovery points exported over NBD (target)
        d.define(key("blockferry.access.nbd-address", STRING, "127.0.0.1"));
        d.define(key("blockferry.access.nbd-port-first", INT, "10809").atLeast(1));
        d.define(key("blockferry.access.nbd-port-last", INT, "10908").atLeast(1));
        d.define(key("blockferry.access.nbdkit-command", STRING, "nbdkit"));
        d.define(key("blockferry.access.start-timeout", DURATION, "30s").atLeast(1000));
        d.define(key("blockferry.access.browse-idle-timeout", DURATION, "10m").atLeast(1000));
        // operator surface
        d.define(key("blockferry.api.token", PASSWORD, ""));
        d.define(key("blockferry.rpo.check-interval", DURATION, "15s").atLeast(100));
        d.define(key("blockferry.status.recent-events", INT, "500").atLeast(1));
        d.define(key("blockferry.status.history-interval", DURATION, "15s").atLeast(1000));
        d.define(key("blockferry.status.history-span", DURATION, "6h").atLeast(1000));
        d.define(key("blockferry.jolokia.user", STRING, "blockferry"));
        d.define(key("blockferry.jolokia.password", PASSWORD, ""));
        return d;
    }

    /** Every key any of Kafka's clients (producer, consumer, admin) documents. */
    private static Set<String> kafkaClientKeys() {
        Set<String> names = new HashSet<>(ProducerConfig.configNames());
        names.addAll(ConsumerConfig.configNames());
        names.addAll(AdminClientConfig.configNames());
        return Set.copyOf(names);
    }
}
