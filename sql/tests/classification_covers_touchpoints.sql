-- description: int_touchpoints_classified holds as many rows as there are staged touchpoints (it is updated in place, so a lost or doubled row would stay)
-- severity: error
-- Counts, not a comparison of keys: at L that costs half a second, where
-- joining 20M keys both ways would cost the seconds the incremental update
-- saves. TestIncrementalModel compares the whole table with a full build.
SELECT staged, classified
FROM (
    SELECT
        (SELECT count(*) FROM stg_touchpoints) AS staged,
        (SELECT count(*) FROM int_touchpoints_classified) AS classified
)
WHERE staged <> classified
