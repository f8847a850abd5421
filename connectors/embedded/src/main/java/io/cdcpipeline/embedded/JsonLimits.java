package io.cdcpipeline.embedded;

import com.fasterxml.jackson.core.StreamReadConstraints;

/**
 * Jackson refuses strings over 20 MB by default, but a Postgres text or jsonb value may hold up to 1 GB, and the
 * runner parses such values as JSON where it keeps them (the dead-letter files, and Kafka's JsonConverter when a dead
 * letter is replayed). This application raises the default for every parser made after {@link #raise()}: a record
 * too large for a sink must still reach its dead-letter file, and come back from it.
 */
final class JsonLimits {

    private JsonLimits() {
    }

    static void raise() {
        StreamReadConstraints.overrideDefaultStreamReadConstraints(StreamReadConstraints.builder()
                .maxStringLength(Integer.MAX_VALUE).build());
    }
}
