// Package deploy holds the crontab line and the Airflow DAG that run the
// weekly job; this test keeps the DAG file compilable.
package deploy

import (
	"os/exec"
	"testing"
)

// Airflow is not installed here, so the DAG is checked by compiling it.
func TestAirflowDAGCompiles(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed")
	}
	out, err := exec.Command(py, "-m", "py_compile", "socialroi_weekly.py").CombinedOutput()
	if err != nil {
		t.Fatalf("py_compile: %v\n%s", err, out)
	}
}
