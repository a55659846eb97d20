package soap

import "testing"

// Every operation of the WSDL acts on the engine; one added to the table
// without an implementation would answer "operation not available yet".
func TestEveryOperationIsImplemented(t *testing.T) {
	for _, op := range OperationTable() {
		if implemented[op.Name] == nil {
			t.Errorf("%s has no implementation", op.Name)
		}
	}
	if len(implemented) != len(OperationTable()) {
		t.Errorf("%d implementations for %d operations", len(implemented), len(OperationTable()))
	}
}
