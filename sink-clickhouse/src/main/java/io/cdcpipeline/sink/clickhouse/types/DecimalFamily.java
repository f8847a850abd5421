package io.cdcpipeline.sink.clickhouse.types;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Map;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.DataException;

/**
 * numeric and money under {@code decimal.handling.mode=precise}: {@code numeric(p,s)} with p up to 38 becomes
 * {@code Decimal(p, s)} (exact, 4, 8 or 16 bytes); wider or unconstrained numerics
 * ({@code VariableScaleDecimal}) become their exact plain text in a {@code String}, because no ClickHouse decimal
 * holds every such value. The modes double and string arrive as FLOAT64 and STRING and map there.
 */
final class DecimalFamily implements TypeFamily {

    static final String VARIABLE_SCALE = "io.debezium.data.VariableScaleDecimal";
    private static final String PRECISION = "connect.decimal.precision";
    private static final int MAX_PRECISION = 38;

    @Override
    public ClickHouseType map(Schema schema, TypeContext context) {
        if (VARIABLE_SCALE.equals(schema.name())) {
            return ClickHouseType.of("String", new PlainTextCodec());
        }
        if (!Decimal.LOGICAL_NAME.equals(schema.name())) {
            return null;
        }
        Map<String, String> params = schema.parameters() == null ? Map.of() : schema.parameters();
        int scale = Integer.parseInt(params.getOrDefault(Decimal.SCALE_FIELD, "0"));
        int precision = Integer.parseInt(params.getOrDefault(PRECISION, Integer.toString(MAX_PRECISION)));
        if (precision > MAX_PRECISION || scale > precision) {
            return ClickHouseType.of("String", new PlainTextCodec());
        }
        return ClickHouseType.of("Decimal(" + precision + ", " + scale + ")", new DecimalCodec(precision, scale));
    }

    private static final class DecimalCodec extends ColumnCodec.FixedWidth {
        private final int precision;
        private final int scale;
        private final int width;
        private final BigInteger limit; // 10^precision: every unscaled value must stay below it
        private final long longLimit;

        DecimalCodec(int precision, int scale) {
            this(precision, scale, precision <= 9 ? 4 : precision <= 18 ? 8 : 16);
        }

        private DecimalCodec(int precision, int scale, int width) {
            super(width);
            this.precision = precision;
            this.scale = scale;
            this.width = width;
            this.limit = BigInteger.TEN.pow(precision);
            this.longLimit = precision <= 18 ? limit.longValueExact() : Long.MAX_VALUE;
        }

        @Override
        public void write(Object value, RowBinaryOutput out) {
            BigDecimal decimal = (BigDecimal) value;
            if (width <= 8 && decimal.scale() == scale && decimal.precision() <= 18) {
                // The common case, without a BigInteger: at scale 0 the value is its own unscaled long.
                long unscaled = decimal.scaleByPowerOfTen(scale).longValueExact();
                if (Math.abs(unscaled) >= longLimit) {
                    throw tooManyDigits(value);
                }
                if (width == 4) {
                    out.writeInt((int) unscaled);
                } else {
                    out.writeLong(unscaled);
                }
                return;
            }
            BigInteger unscaled;
            try {
                unscaled = ((BigDecimal) value).setScale(scale).unscaledValue();
            } catch (ArithmeticException e) {
                throw new DataException("numeric value " + value + " has more than " + scale
                        + " digits after the point of Decimal(" + precision + ", " + scale + ")");
            }
            if (unscaled.abs().compareTo(limit) >= 0) {
                throw tooManyDigits(value);
            }
            switch (width) {
                case 4 -> out.writeInt(unscaled.intValue());
                case 8 -> out.writeLong(unscaled.longValue());
                default -> out.writeBigInteger(unscaled, width);
            }
        }

        private DataException tooManyDigits(Object value) {
            return new DataException("numeric value " + value + " has more digits than Decimal(" + precision + ", "
                    + scale + ") holds");
        }

        @Override
        public String literal(Object value) {
            return ((BigDecimal) value).toPlainString();
        }
    }

    /** Exact decimal text; keeps every digit of numerics too wide for Decimal. */
    private static final class PlainTextCodec extends ColumnCodec.LengthPrefixed {
        @Override
        public void write(Object value, RowBinaryOutput out) {
            out.writeString(value instanceof BigDecimal decimal ? decimal.toPlainString() : String.valueOf(value));
        }
    }
}
