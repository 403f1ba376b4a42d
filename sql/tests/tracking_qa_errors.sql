-- description: no tracking-QA check of severity error fails (mart_tracking_qa)
-- severity: error
SELECT check_name, subject, value, detail
FROM mart_tracking_qa
WHERE severity = 'error' AND status = 'fail'
