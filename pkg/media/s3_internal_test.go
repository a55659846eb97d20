package media

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// The "GET Object" example of AWS's Signature Version 4 documentation for
// S3 (Authenticating Requests: Using the Authorization Header).
func TestS3SignatureMatchesAWSExample(t *testing.T) {
	s := &S3Store{Region: "us-east-1", AccessKey: "AKIAIOSFODNN7EXAMPLE", SecretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		Now: func() time.Time { return time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC) }}
	req, _ := http.NewRequest("GET", "https://examplebucket.s3.amazonaws.com/test.txt", nil)
	req.Header.Set("Range", "bytes=0-9")
	s.sign(req, emptySHA256)
	got := req.Header.Get("Authorization")
	want := "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
	if got != want {
		t.Fatalf("Authorization\n got %s\nwant %s", got, want)
	}
	if strings.Contains(got, s.SecretKey) {
		t.Fatal("secret in the header")
	}
}
