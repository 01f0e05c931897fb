module loadtest/bench/go-target

go 1.22
