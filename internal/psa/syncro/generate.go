package syncro

//go:generate go run ./specgen -spec ../../../../shared/psa-apis/specs/syncro-openapi.json -out testdata/openapi-extract.json
