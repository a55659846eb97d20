package media

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/callgate/callgate/core"
)

// S3Store keeps recordings in S3-compatible object storage (AWS S3, MinIO,
// Ceph RGW…), so several gateways share one recording store. Requests are
// path-style (URL/<key>, URL naming the bucket: https://host/bucket) and
// signed with AWS Signature Version 4.
type S3Store struct {
	URL       string // endpoint and bucket, path-style, no trailing slash
	Region    string // default us-east-1
	AccessKey string
	SecretKey string
	Client    *http.Client     // default: 5-minute timeout
	Now       func() time.Time // tests
}

const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

func (s *S3Store) client() *http.Client {
	if s.Client != nil {
		return s.Client
	}
	return &http.Client{Timeout: 5 * time.Minute}
}

// Put spools the object to a temporary file first: S3 wants its length and
// hash before the body, and the size bound is checked before any upload.
func (s *S3Store) Put(ctx context.Context, key string, r io.Reader, max int64) error {
	if err := checkKey(key); err != nil {
		return err
	}
	f, err := os.CreateTemp("", "callgate-media-*")
	if err != nil {
		return fmt.Errorf("media: s3 spool: %w", err)
	}
	defer func() { f.Close(); os.Remove(f.Name()) }()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(ctxReader{ctx, r}, max+1))
	if err != nil {
		return fmt.Errorf("media: s3 put %s: %w", key, err)
	}
	if n > max {
		return fmt.Errorf("media: s3 put %s: %w", key, ErrTooLarge)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("media: s3 spool: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, s.URL+"/"+key, io.NopCloser(f))
	if err != nil {
		return fmt.Errorf("media: s3 put: %w", err)
	}
	req.ContentLength = n
	s.sign(req, hex.EncodeToString(h.Sum(nil)))
	resp, err := s.client().Do(req)
	if err != nil {
		return fmt.Errorf("media: s3 put %s: %w", key, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("media: s3 put %s: status %d", key, resp.StatusCode)
	}
	return nil
}

func (s *S3Store) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/"+key, nil)
	if err != nil {
		return nil, fmt.Errorf("media: s3 get: %w", err)
	}
	s.sign(req, emptySHA256)
	resp, err := s.client().Do(req)
	if err != nil {
		return nil, fmt.Errorf("media: s3 get %s: %w", key, err)
	}
	if resp.StatusCode/100 == 2 {
		return resp.Body, nil
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return nil, fmt.Errorf("%w: media: %s is not in the store", core.ErrNotFound, key)
	}
	return nil, fmt.Errorf("media: s3 get %s: status %d", key, resp.StatusCode)
}

// checkKey accepts only keys Key builds (a day folder and one file name).
func checkKey(key string) error {
	day, file, ok := strings.Cut(key, "/")
	if !ok || len(day) != 8 || strings.Trim(day, "0123456789") != "" || file == "" ||
		strings.Trim(file, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-.") != "" || strings.HasPrefix(file, ".") {
		return fmt.Errorf("%w: media: bad key", core.ErrInvalid)
	}
	return nil
}

// sign adds AWS Signature Version 4 headers for service s3. Signed: host,
// every x-amz-* header and range.
func (s *S3Store) sign(req *http.Request, payloadHash string) {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	t := now().UTC()
	amzDate := t.Format("20060102T150405Z")
	day := t.Format("20060102")
	region := s.Region
	if region == "" {
		region = "us-east-1"
	}
	req.Header.Set("x-amz-date", amzDate)
	req.Header.Set("x-amz-content-sha256", payloadHash)

	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	hdrs := map[string]string{"host": host}
	for k, v := range req.Header {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "x-amz-") || lk == "range" {
			hdrs[lk] = strings.TrimSpace(strings.Join(v, ","))
		}
	}
	names := make([]string, 0, len(hdrs))
	for k := range hdrs {
		names = append(names, k)
	}
	sort.Strings(names)
	var canonHeaders strings.Builder
	for _, k := range names {
		canonHeaders.WriteString(k + ":" + hdrs[k] + "\n")
	}
	signed := strings.Join(names, ";")
	uri := req.URL.EscapedPath()
	if uri == "" {
		uri = "/"
	}
	canonical := strings.Join([]string{req.Method, uri, req.URL.RawQuery, canonHeaders.String(), signed, payloadHash}, "\n")
	scope := day + "/" + region + "/s3/aws4_request"
	sum := sha256.Sum256([]byte(canonical))
	toSign := "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
	k := hmacSHA256([]byte("AWS4"+s.SecretKey), day)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, "s3")
	k = hmacSHA256(k, "aws4_request")
	sig := hex.EncodeToString(hmacSHA256(k, toSign))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+s.AccessKey+"/"+scope+", SignedHeaders="+signed+", Signature="+sig)
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}
