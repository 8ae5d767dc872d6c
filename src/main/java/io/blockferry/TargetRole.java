package io.blockferry;

import io.blockferry.config.Settings;
import io.blockferry.store.Database;
import io.blockferry.target.ChunkWriter;
import io.blockferry.target.RecoveryPointCatalog;
import io.blockferry.target.Retention;
import io.blockferry.target.Scrubber;
import io.blockferry.events.EventSink;
import io.blockferry.ops.ComponentHealthCheck;
import io.blockferry.ops.TargetApi;
import io.blockferry.target.Repository;
import io.blockferry.transport.KafkaOffsetCommitter;
import io.blockferry.restore.RestorePlanner;
import io.blockferry.restore.ServerMetadataCatalog;
import java.nio.file.Path;
import org.apache.camel.main.Main;

/** The target side's beans: the repository, its catalog, the chunk writer, scrub and retention. */
final class TargetRole implements AutoCloseable {

    private final Database database;
    final ChunkWriter writer;
    final Scrubber scrubber;
    final Retention retention;
    private final TargetApi api;
    final ServerMetadataCatalog metadata;

    TargetRole(Settings settings, EventSink events) {
        this.database = Database.open(Path.of(settings.text("blockferry.data-dir"), "state", "target"),
                Database.schema(RecoveryPointCatalog.SCHEMA, ServerMetadataCatalog.SCHEMA));
        Repository repository = new Repository(settings.path("blockferry.target.repository-dir"));
        RecoveryPointCatalog catalog = new RecoveryPointCatalog(database);
        this.writer = new ChunkWriter(repository, catalog, settings.bytes("blockferry.target.checkpoint-bytes"), events);
        this.scrubber = new Scrubber(repository, catalog, writer, events);
        this.retention = new Retention(repository, catalog, writer, events,
                settings.integer("blockferry.target.keep-points"));
        retention.recover();
        this.metadata = new ServerMetadataCatalog(database, catalog);
        this.api = new TargetApi(catalog, metadata, new RestorePlanner(catalog::currentChain,
                p -> repository.pointDiff(p.volumeId(), p.generation())), RestoreSetup.lazyRunner(settings));
    }

    void bind(Main main) {
        main.bind("chunkWriter", writer);
        main.bind("scrubber", scrubber);
        main.bind("retention", retention);
        main.bind("targetApi", api);
        main.bind("serverMetadataCatalog", metadata);
        main.bind("targetStateHealth", new ComponentHealthCheck("target-state-store", database::check));
        main.bind("offsetCommitter", new KafkaOffsetCommitter());
    }

    @Override
    public void close() {
        database.close();
    }
}
