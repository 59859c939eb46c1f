package io.civitas.protocol;

import java.util.Map;

/** The sensors the contract knows, with the unit their readings carry. */
public final class Sensors {
    public static final String TEMPERATURE = "temperature";
    public static final String PM25 = "pm25";
    public static final String NO2 = "no2";
    public static final String PARKING = "parking";

    /** Sensor name to unit. */
    public static final Map<String, String> KNOWN = Map.of(
            TEMPERATURE, "celsius",
            PM25, "ug/m3",
            NO2, "ug/m3",
            PARKING, "occupied");

    /** The shortest sampling period an agent accepts; shorter plans are refused at the REST API. */
    public static final long MIN_PERIOD_MILLIS = 100;

    private Sensors() {}
}
