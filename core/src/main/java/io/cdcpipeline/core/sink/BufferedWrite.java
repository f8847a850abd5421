package io.cdcpipeline.core.sink;

import org.apache.kafka.connect.sink.SinkRecord;

/** One write a change became, as {@link ChangeSinkEngine} buffers and sends it. */
public interface BufferedWrite {

    /** The record the write came from: it is dead-lettered with it if the target refuses the write. */
    SinkRecord record();

    /** The table or index the write goes to. */
    String target();

    /** What identifies the row or document within its target: the newest buffered write of a key fills TOAST holes. */
    Object key();

    /** Roughly what the write adds to a request. */
    long bytes();

    /** The source commit time of its change, 0 when unknown. */
    long sourceTsMs();
}
