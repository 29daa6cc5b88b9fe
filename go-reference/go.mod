module ctxlab/go-client

go 1.19
