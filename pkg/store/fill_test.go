package store_test

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// fixedTime is deliberately not UTC: the store must give it back as the
// same instant whatever offset it was written with.
var fixedTime = time.Date(2026, 3, 4, 5, 6, 7, 123_000_000, time.FixedZone("UTC+1", 3600))

// fill sets every column of the record pointed to by v to a non-zero value
// derived from seed, within the column's size, leaving auto-increment keys
// zero.
func fill(v any, seed int) {
	rv := reflect.ValueOf(v).Elem()
	rt := rv.Type()
	for i := 0; i < rt.NumField(); i++ {
		f := rt.Field(i)
		tag := f.Tag.Get("gorm")
		fv := rv.Field(i)
		if strings.Contains(tag, "primaryKey") && !strings.Contains(tag, "autoIncrement:false") {
			continue
		}
		switch {
		case f.Type == reflect.TypeOf(time.Time{}):
			fv.Set(reflect.ValueOf(fixedTime.Add(time.Duration(seed) * time.Minute)))
		case f.Type == reflect.TypeOf(&time.Time{}):
			t := fixedTime.Add(time.Duration(seed)*time.Minute + time.Hour)
			fv.Set(reflect.ValueOf(&t))
		default:
			switch fv.Kind() {
			case reflect.String:
				s := fmt.Sprintf("%s-ñ%d-%s", strings.ToLower(f.Name), seed, "ção")
				if n := sizeOf(tag); n > 0 {
					s = truncRunes(s, n)
				}
				fv.SetString(s)
			case reflect.Bool:
				fv.SetBool(true)
			case reflect.Int, reflect.Int64, reflect.Int32:
				fv.SetInt(int64(seed*10 + i))
			case reflect.Uint, reflect.Uint64, reflect.Uint32:
				fv.SetUint(uint64(seed*10 + i))
			case reflect.Float64:
				fv.SetFloat(float64(seed) + 0.25)
			}
		}
	}
}

func sizeOf(tag string) int {
	for _, part := range strings.Split(tag, ";") {
		if n, ok := strings.CutPrefix(part, "size:"); ok {
			v, _ := strconv.Atoi(n)
			return v
		}
	}
	return 0
}

func truncRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		r = r[:n]
	}
	return string(r)
}

// normalized copies a record with its times as UTC milliseconds, the
// precision both databases keep, so records compare with reflect.DeepEqual.
func normalized(v any) any {
	src := reflect.ValueOf(v).Elem()
	dst := reflect.New(src.Type()).Elem()
	dst.Set(src)
	for i := 0; i < dst.NumField(); i++ {
		fv := dst.Field(i)
		switch t := fv.Interface().(type) {
		case time.Time:
			fv.Set(reflect.ValueOf(t.UTC().Truncate(time.Millisecond)))
		case *time.Time:
			if t != nil {
				u := t.UTC().Truncate(time.Millisecond)
				fv.Set(reflect.ValueOf(&u))
			}
		}
	}
	return dst.Interface()
}

func primaryKey(v any) any {
	rv := reflect.ValueOf(v).Elem()
	rt := rv.Type()
	for i := 0; i < rt.NumField(); i++ {
		if strings.Contains(rt.Field(i).Tag.Get("gorm"), "primaryKey") {
			return rv.Field(i).Interface()
		}
	}
	panic("no primary key in " + rt.Name())
}
