# Blockferry image: build with Maven, run on Debian with Ceph's client libraries (librados, librbd).
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src src
COPY routes routes
RUN mvn -B -q -DskipTests package
# In docker-compose.yml, Hawtio runs in a container of its own at a fixed address. Only this image's
# copy of Jolokia's access policy admits that address too; it goes before the jar on the class path.
ARG HAWTIO_ADDRESS=172.30.255.6
RUN mkdir -p target/policy \
 && sed "s#<remote>#<remote>\n    <host>${HAWTIO_ADDRESS}</host>#" src/main/resources/jolokia-access.xml \
      > target/policy/jolokia-access.xml

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends openjdk-17-jre-headless librbd1 librados2 ca-certificates \
 && ln -sf /usr/lib/x86_64-linux-gnu/librbd.so.1 /usr/lib/x86_64-linux-gnu/librbd.so \
 && ln -sf /usr/lib/x86_64-linux-gnu/librados.so.2 /usr/lib/x86_64-linux-gnu/librados.so \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/blockferry
COPY --from=build /src/target/blockferry.jar ./
COPY --from=build /src/target/lib lib
COPY --from=build /src/target/policy policy
COPY config config
VOLUME /opt/blockferry/data
ENTRYPOINT ["java", "-Xmx512m", "-cp", "/opt/blockferry/policy:/opt/blockferry/blockferry.jar", "io.blockferry.Blockferry"]
CMD ["run"]
