package io.blockferry.transport;

import java.util.Iterator;
import org.apache.camel.CamelContext;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.support.DefaultMessage;

/**
 * Camel glue: turns a generation's records into Kafka messages keyed by volume id, lazily, so
 * the Kafka producer pulls (and the source reads) one record at a time.
 */
public final class ChunkMessages {

    public Iterator<Message> of(Iterator<ChunkRecord> records, CamelContext context) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return records.hasNext();
            }

            @Override
            public Message next() {
                ChunkRecord record = records.next();
                Message message = new DefaultMessage(context);
                message.setHeader(KafkaConstants.KEY, record.volumeId());
                message.setBody(ChunkCodec.encode(record));
                return message;
            }
        };
    }
}
