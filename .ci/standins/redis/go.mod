module dockstep.example/standins/redis

go 1.22
