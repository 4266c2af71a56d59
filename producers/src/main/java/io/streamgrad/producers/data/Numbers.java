package io.streamgrad.producers.data;

import java.util.regex.Pattern;

/**
 * Strict reading of numbers in data files: plain decimal notation only, as spreadsheets and other
 * ML tools write it ({@code 3}, {@code -0.25}, {@code 1.5e-3}, {@code +2.}). Java's own parsers
 * also accept {@code NaN}, {@code Infinity}, hexadecimal ({@code 0x1p3}) and type suffixes ({@code
 * 7d}, {@code 2.5f}); none of these is a number a person meant as data, so they are refused, as is
 * a value whose float32 form would be infinite (beyond ±3.4028235e38) since the model computes in
 * float32.
 */
public final class Numbers {
    private Numbers() {}

    private static final Pattern DECIMAL =
            Pattern.compile("[+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?");

    /** Why a field is not a number, phrased to follow "column X is 'v', ". */
    public static final class NotANumber extends Exception {
        NotANumber(String reason) {
            super(reason, null, false, false);
        }
    }

    /** Whether {@code s} is written as a plain decimal number (its range is not checked). */
    public static boolean isDecimal(String s) {
        return DECIMAL.matcher(s).matches();
    }

    /**
     * Reads a finite float32.
     *
     * @throws NotANumber saying why (not finite, out of range, not decimal notation)
     */
    public static float parseFloat32(String s) throws NotANumber {
        if (!isDecimal(s)) {
            throw new NotANumber(reasonNotDecimal(s));
        }
        float v = Float.parseFloat(s);
        if (Float.isInfinite(v)) {
            throw new NotANumber(
                    "outside float32's range (±3.4e38): rescale the column, e.g. to other units");
        }
        return v;
    }

    private static String reasonNotDecimal(String s) {
        String t = s.strip();
        if (t.equalsIgnoreCase("nan")
                || t.matches("(?i)[+-]?inf(inity)?")
                || t.equalsIgnoreCase("-nan")) {
            return "not a finite number: fill in or remove the row";
        }
        if (t.isEmpty() || MissingValues.isMissing(t)) {
            return "missing: fill in or remove the row";
        }
        try {
            Double.parseDouble(t);
            return "a Java-only spelling, not a plain decimal number: write e.g. 7 or 2.5";
        } catch (NumberFormatException e) {
            return "not a number";
        }
    }
}
