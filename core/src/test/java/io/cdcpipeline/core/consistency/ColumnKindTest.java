package io.cdcpipeline.core.consistency;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Each side's text of one value (Postgres, ClickHouse 18.16 / modern, Elasticsearch) reads as one form. */
class ColumnKindTest {

    private static void same(ColumnKind kind, int digits, String... texts) {
        String first = kind.canonical(texts[0], digits);
        for (String text : texts) {
            assertThat(kind.canonical(text, digits)).as("%s %s vs %s", kind, text, texts[0]).isEqualTo(first);
        }
    }

    @Test
    void equalValuesReadAlikeFromEverySide() {
        same(ColumnKind.DECIMAL, 9, "12.50", "12.5", "12.500000");
        same(ColumnKind.DECIMAL, 9, "0.00", "0");
        same(ColumnKind.BOOLEAN, 9, "true", "1", "t");
        same(ColumnKind.BOOLEAN, 9, "false", "0", "f");
        same(ColumnKind.FLOAT8, 9, "Infinity", "inf", "+inf");
        same(ColumnKind.FLOAT8, 9, "NaN", "nan");
        same(ColumnKind.FLOAT4, 9, "1.1", "1.1");
        same(ColumnKind.UUID, 9, "6F1C2A4E-0000-4000-8000-000000000001", "6f1c2a4e-0000-4000-8000-000000000001");
        same(ColumnKind.JSON, 9, "{\"b\": 1, \"a\": [1, 2]}", "{\"a\":[1,2],\"b\":1}");
        same(ColumnKind.TIMESTAMP, 9, "2026-01-01T10:00:00.000001", "2026-01-01 10:00:00.000001",
                "2026-01-01T10:00:00.000001Z");
        same(ColumnKind.TIMESTAMP, 9, "2026-01-01T10:00:00.000000", "2026-01-01T10:00:00", "2026-01-01 10:00:00");
        same(ColumnKind.TIMESTAMPTZ, 0, "2026-01-01T10:00:00.999999", "2026-01-01 10:00:00");
    }

    @Test
    void differentValuesStayDifferent() {
        assertThat(ColumnKind.DECIMAL.canonical("12.5", 9)).isNotEqualTo(ColumnKind.DECIMAL.canonical("12.51", 9));
        assertThat(ColumnKind.TIMESTAMP.canonical("2026-01-01T10:00:00.000001", 9))
                .isNotEqualTo(ColumnKind.TIMESTAMP.canonical("2026-01-01T10:00:00", 9));
        assertThat(ColumnKind.TEXT.canonical("a ", 9)).isNotEqualTo(ColumnKind.TEXT.canonical("a", 9));
        assertThat(ColumnKind.INTEGER.canonical("x", 9)).startsWith("unreadable");
        assertThat(ColumnKind.INTEGER.canonical(null, 9)).isNull();
    }
}
